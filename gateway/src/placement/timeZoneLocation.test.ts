import { describe, expect, it } from 'vitest';
import { timeZoneLocation } from './timeZoneLocation.js';

describe('timeZoneLocation', () => {
  it('knows IANA names and their aliases', () => {
    const berlin = timeZoneLocation('Europe/Berlin');
    expect(berlin?.country).toBe('DE');
    expect(berlin?.lat).toBeCloseTo(52.5, 0);
    expect(timeZoneLocation('US/Pacific')).toEqual(timeZoneLocation('America/Los_Angeles'));
  });

  it('answers undefined for unknown names, including names of Object.prototype members', () => {
    for (const zone of ['Mars/Olympus', '', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(timeZoneLocation(zone)).toBeUndefined();
    }
  });
});

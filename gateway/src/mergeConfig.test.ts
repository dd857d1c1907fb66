import { describe, expect, it } from 'vitest';
import { mergeConfig } from './mergeConfig.js';

describe('mergeConfig', () => {
  it('merges nested objects, later layers winning, and replaces arrays', () => {
    const file = { port: 9000, fleet: { adminToken: 'from-file-0123456789', minStakeWei: '5' }, regions: ['eu'] };
    const cli = { port: 8080, fleet: { adminToken: 'from-env-0123456789' }, regions: ['us'] };
    expect(mergeConfig(file, cli)).toEqual({
      port: 8080,
      fleet: { adminToken: 'from-env-0123456789', minStakeWei: '5' },
      regions: ['us'],
    });
  });

  it('never lets undefined override, ignores non-object layers and leaves its inputs alone', () => {
    const file = { host: '0.0.0.0', placement: { maxRounds: 4 } };
    const merged = mergeConfig(file, { host: undefined, placement: { maxRounds: undefined } }, null, 'x');
    expect(merged).toEqual({ host: '0.0.0.0', placement: { maxRounds: 4 } });
    expect(merged.placement).not.toBe(file.placement);
    expect(file).toEqual({ host: '0.0.0.0', placement: { maxRounds: 4 } });
  });
});

import { describe, expect, it } from 'vitest';
import { buildScenarios, DEFAULT_CAPS_KBPS, SCENARIO_NAMES } from './scenarios.js';

const byName = (name: string) => buildScenarios({ capsKbps: DEFAULT_CAPS_KBPS }).find((s) => s.name === name)!;

describe('scenarios', () => {
  it('puts three 300 ms blackouts 15 s apart into a 60 s run', () => {
    const steps = byName('blackout').steps(60_000);
    expect(steps.map((s) => [s.atMs, s.step])).toEqual([
      [15_000, { kind: 'blackout', on: true }],
      [15_300, { kind: 'blackout', on: false }],
      [30_000, { kind: 'blackout', on: true }],
      [30_300, { kind: 'blackout', on: false }],
      [45_000, { kind: 'blackout', on: true }],
      [45_300, { kind: 'blackout', on: false }],
    ]);
  });

  it('caps for a third, lowers the cap for a third, releases for the last third', () => {
    const steps = buildScenarios({ capsKbps: [800, 400] })
      .find((s) => s.name === 'cap')!
      .steps(60_000);
    expect(steps).toEqual([
      { atMs: 0, step: { kind: 'cap', kbps: 800 } },
      { atMs: 20_000, step: { kind: 'cap', kbps: 400 } },
      { atMs: 40_000, step: { kind: 'uncap' } },
    ]);
  });

  it('names every scenario once, loss levels first', () => {
    expect(SCENARIO_NAMES).toEqual(['loss-0', 'loss-1', 'loss-2', 'loss-5', 'cap', 'blackout', 'jitter']);
    expect(byName('loss-2').steps(60_000)).toEqual([{ atMs: 0, step: { kind: 'loss', percent: 2 } }]);
  });
});

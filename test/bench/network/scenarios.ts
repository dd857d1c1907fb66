import type { ImpairmentSupport } from './LinkImpairer.js';

/** One change to the network, applied at a point of the measured window. */
export type ImpairmentStep =
  | { kind: 'loss'; percent: number }
  /** Rate cap on the gateway → browser media flow; a later cap changes the rate. */
  | { kind: 'cap'; kbps: number }
  | { kind: 'uncap' }
  | { kind: 'blackout'; on: boolean }
  | { kind: 'delay'; ms: number; jitterMs: number };

export interface ScheduledStep {
  /** From the start of the measured window. */
  atMs: number;
  step: ImpairmentStep;
}

export interface Scenario {
  name: string;
  description: string;
  /** Tools it needs; a scenario whose tool is missing is skipped with the reason. */
  needs: readonly (keyof ImpairmentSupport)[];
  steps(durationMs: number): ScheduledStep[];
}

const BLACKOUT_MS = 300;

const loss = (percent: number): Scenario => ({
  name: `loss-${percent}`,
  description:
    percent === 0
      ? 'no impairment (the reference)'
      : `${percent} % of every UDP datagram dropped at random (agent → gateway, gateway → browser, browser → gateway)`,
  needs: ['filter'],
  steps: () => [{ atMs: 0, step: { kind: 'loss', percent } }],
});

export interface ScenarioOptions {
  /** The cap scenario's two rates, in this order. */
  capsKbps: readonly [first: number, second: number];
}

export const DEFAULT_CAPS_KBPS = [4000, 2000] as const;

/** Every scenario, in the order a full run measures them. */
export const buildScenarios = ({ capsKbps: [first, second] }: ScenarioOptions): Scenario[] => [
  loss(0),
  loss(1),
  loss(2),
  loss(5),
  {
    name: 'cap',
    description:
      `gateway → browser media capped to ${first / 1000} Mbit/s, then ${second / 1000} Mbit/s, then released ` +
      '(a third of the time each)',
    needs: ['shaper'],
    steps: (d) => [
      { atMs: 0, step: { kind: 'cap', kbps: first } },
      { atMs: d / 3, step: { kind: 'cap', kbps: second } },
      { atMs: (2 * d) / 3, step: { kind: 'uncap' } },
    ],
  },
  {
    name: 'blackout',
    description: `every UDP datagram dropped for ${BLACKOUT_MS} ms, three times (15 s apart in a 60 s run)`,
    needs: ['filter'],
    steps: (d) =>
      [1, 2, 3].flatMap((i) => [
        { atMs: (i * d) / 4, step: { kind: 'blackout', on: true } as const },
        { atMs: (i * d) / 4 + BLACKOUT_MS, step: { kind: 'blackout', on: false } as const },
      ]),
  },
  {
    name: 'jitter',
    description: 'every UDP datagram delayed 40 ± 10 ms (netem)',
    needs: ['netem'],
    steps: () => [{ atMs: 0, step: { kind: 'delay', ms: 40, jitterMs: 10 } }],
  },
];

export const SCENARIO_NAMES = buildScenarios({ capsKbps: DEFAULT_CAPS_KBPS }).map((s) => s.name);

import type { RuntimeKind, VideoCodec } from '@frameway/protocol';

/** What a session needs from its node. */
export interface PlacementQuery {
  runtime: RuntimeKind;
  codec: VideoCodec;
  /** Largest acceptable player↔node round trip. */
  budgetMs: number;
  /** Allowed regions; empty or absent = anywhere. */
  regions?: readonly string[] | undefined;
  /** Nodes not to use (failover: the node being left). */
  exclude?: ReadonlySet<string> | undefined;
}

/** A query with names resolved to the index's numbers; compile once per placement. */
export interface CompiledQuery {
  readonly caps: number;
  readonly regions: ReadonlySet<number> | undefined;
  readonly exclude: ReadonlySet<number>;
  readonly budgetMs: number;
}

/** A node worth probing, with the RTT its coordinate predicts. */
export interface ProbeCandidate {
  slot: number;
  nodeId: string;
  url: string;
  predictedMs: number;
}

export type LatencySource = 'measured' | 'predicted' | 'unknown';

export interface PlacementAlternative {
  nodeId: string;
  rttMs: number;
  source: LatencySource;
}

export type PlacementDecision =
  | { placed: true; nodeId: string; slot: number; rttMs: number | undefined; source: LatencySource }
  | {
      placed: false;
      /**
       * no_capacity: no node passes the non-latency constraints at all;
       * over_budget: nodes are free but none within the budget;
       * full_in_budget: nodes within the budget exist but are full (worth queueing).
       */
      reason: 'no_capacity' | 'over_budget' | 'full_in_budget';
      best: PlacementAlternative | undefined;
      /** Slots within budget that are only full; a queued player waits for one of these. */
      waitFor: number[];
    };

export interface ChooseOptions {
  /** The player's fitted coordinate; lets predictions stand in where nothing was measured. */
  point?: Float64Array | undefined;
  /** Use predicted RTTs for nodes that were not measured (the player could not probe). */
  allowPredicted?: boolean;
  /** Nodes without any latency data (no probe endpoint, unknown coordinate) may host when nothing known fits. */
  allowUnknown?: boolean;
}

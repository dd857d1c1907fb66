import { FramewayError } from '@frameway/protocol';
import type { QosDomain } from '@frameway/protocol/qos';
import type { Logger } from '../logging/logger.js';
import type { LedgerConfig } from './ledgerConfig.js';
import type { LedgerRuntime } from './startup/startLedger.js';
import type { LedgerStore } from './store/LedgerStore.js';

/** Counters the ledger's parts add to; `QosLedger.metrics` reads them. */
export interface LedgerCounters {
  reportsAccepted: number;
  reportsRejected: number;
  recordsWritten: number;
  batchesCut: number;
}

/**
 * What the ledger's parts (session lifecycle, report intake, upkeep, views)
 * share: the store, config, clock and log, and what start() connected. The
 * façade owns it; a part reads `runtime` when it acts, so parts built before
 * start() see the chain once it is there.
 */
export interface LedgerContext {
  readonly store: LedgerStore;
  readonly config: LedgerConfig;
  readonly now: () => number;
  readonly log: Logger;
  readonly counters: LedgerCounters;
  /** What start() connected; undefined until it finishes. */
  readonly runtime: LedgerRuntime | undefined;
  readonly closed: boolean;
}

/** The EIP-712 domain reports are signed under; a typed error before start(). */
export function domainOf(context: LedgerContext): QosDomain {
  const runtime = context.runtime;
  if (!runtime) throw new FramewayError('FW_ERR_INVALID_STATE', 'the QoS ledger has not started');
  return runtime.domain;
}

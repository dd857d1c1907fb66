import { randomBytes } from 'node:crypto';
import { type QosDomain, qosDomain } from '@frameway/protocol/qos';
import { type Hex, zeroAddress } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import type { Logger } from '../../logging/logger.js';
import { Batcher } from '../batch/Batcher.js';
import { createLedgerChain } from '../chain/createLedgerChain.js';
import { EMBEDDED_CHAIN_ID, type EmbeddedEvm } from '../chain/EmbeddedEvm.js';
import type { LedgerChain } from '../chain/LedgerChain.js';
import type { LedgerConfig } from '../ledgerConfig.js';
import { ChainOutbox } from '../outbox/ChainOutbox.js';
import type { LedgerStore } from '../store/LedgerStore.js';

/** What start-up connected: the chain (if any), its outbox, the batcher and the signing domain. */
export interface LedgerRuntime {
  ledgerId: string;
  domain: QosDomain;
  chain: LedgerChain | undefined;
  /** Whether start-up built the chain client (and so the ledger closes it). */
  ownsChain: boolean;
  /** The embedded EVM, when the chain is embedded (tests move its clock). */
  evm: EmbeddedEvm | undefined;
  outbox: ChainOutbox | undefined;
  batcher: Batcher;
}

export interface StartLedgerOptions {
  store: LedgerStore;
  config: LedgerConfig;
  /** A chain client to use instead of building one from `config.chain`; null = no chain. */
  chain?: LedgerChain | null | undefined;
  /** With `chain`: whether its state is new, so the outbox must replay into it. */
  chainFresh?: boolean | undefined;
  now: () => number;
  random: () => number;
  log: Logger;
}

/**
 * Connects the chain (deploying on the embedded one), replays the outbox into
 * a chain whose state is new, and builds the batcher. A chain that cannot be
 * built is logged and the ledger runs without one.
 */
export async function startLedger(options: StartLedgerOptions): Promise<LedgerRuntime> {
  const { store, config, log } = options;
  const ledgerId = store.metaOrInsert('ledger_id', `fwl_${randomBytes(12).toString('hex')}`);
  let fresh = options.chainFresh ?? false;
  let chain: LedgerChain | undefined;
  let ownsChain = false;
  let evm: EmbeddedEvm | undefined;
  if (options.chain !== undefined) {
    chain = options.chain ?? undefined;
  } else if (config.chain.kind !== 'none') {
    const operatorKey = store.metaOrInsert('embedded_operator_key', generatePrivateKey()) as Hex;
    try {
      const created = await createLedgerChain(config.chain, { embeddedOperatorKey: operatorKey });
      chain = created.chain;
      ownsChain = true;
      evm = created.evm;
      fresh = created.fresh;
    } catch (error) {
      // E.g. no EDR binary for this platform: keep recording, verdicts and batches; anchor nothing.
      log.error({ err: error, chain: config.chain.kind }, 'settlement chain unavailable; the ledger runs without one');
    }
  }
  const domain = chain ? qosDomain(chain.chainId, chain.address) : qosDomain(EMBEDDED_CHAIN_ID, zeroAddress);
  let outbox: ChainOutbox | undefined;
  if (chain) {
    outbox = new ChainOutbox({
      store,
      chain,
      retry: config.chain.retry,
      log: log.child({ part: 'outbox' }),
      now: options.now,
      random: options.random,
    });
    if (fresh) {
      const replayed = store.transaction(() => {
        store.markAllBatchesUncommitted();
        return store.jobs.reopenAll(options.now());
      });
      if (replayed > 0) log.info({ jobs: replayed }, 'new chain state: replaying the outbox into it');
    }
  }
  const batcher = new Batcher({ store, policy: config.batch, ledgerId, anchor: chain !== undefined, now: options.now });
  return { ledgerId, domain, chain, ownsChain, evm, outbox, batcher };
}

/** Sessions the previous run left open: they ended when their last evidence arrived. */
export function recoverInterruptedSessions(store: LedgerStore, log: Logger): void {
  for (const session of store.openSessions()) {
    if (session.endedAt !== null) continue;
    const lastReport = store.reportsFor(session.sessionId).reduce((max, r) => Math.max(max, r.receivedAt), 0);
    const endedAt = Math.max(session.startedAt ?? session.createdAt, lastReport, session.createdAt);
    store.markEnded(session.sessionId, endedAt, 'gateway_restarted');
    log.info({ sessionId: session.sessionId }, 'session interrupted by a gateway restart: closing it');
  }
}

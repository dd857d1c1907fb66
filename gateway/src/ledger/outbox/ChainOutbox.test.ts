import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sessionKeyOf } from '@frameway/protocol/qos';
import { pino } from 'pino';
import { createPublicClient, createWalletClient, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/openDatabase.js';
import { createLedgerChain, embeddedChain } from '../chain/createLedgerChain.js';
import type { EmbeddedEvm } from '../chain/EmbeddedEvm.js';
import { AllocationStatus } from '../chain/LedgerChain.js';
import { ViemLedgerChain } from '../chain/ViemLedgerChain.js';
import { ledgerConfig } from '../ledgerConfig.js';
import { QosLedger } from '../QosLedger.js';
import { playSession } from '../testing/playSession.js';
import { ManualClock } from '../testing/qosFixtures.js';

/** A JSON-RPC endpoint on loopback in front of an embedded EVM that can be switched to failing. */
class FlakyRpc {
  mode: 'ok' | 'http500' | 'reset' = 'ok';
  requests = 0;
  failed = 0;
  readonly #server: Server;

  constructor(evm: EmbeddedEvm) {
    this.#server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        this.requests++;
        if (this.mode === 'reset') {
          this.failed++;
          request.socket.destroy();
          return;
        }
        if (this.mode === 'http500') {
          this.failed++;
          response.writeHead(500).end('upstream down');
          return;
        }
        const call = JSON.parse(body) as { id: number; method: string; params?: unknown[] };
        evm.request({ method: call.method, params: call.params } as never).then(
          (result) => response.end(JSON.stringify({ jsonrpc: '2.0', id: call.id, result })),
          (error: { code?: number; message: string; data?: unknown }) =>
            response.end(
              JSON.stringify({
                jsonrpc: '2.0',
                id: call.id,
                error: { code: error.code ?? -32603, message: error.message, data: error.data },
              }),
            ),
        );
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function flakySetup() {
  const config = ledgerConfig({ chain: { kind: 'embedded', retry: { initialDelayMs: 1_000, maxDelayMs: 8_000 } } });
  const operatorKey = generatePrivateKey();
  const direct = await createLedgerChain(config.chain, { embeddedOperatorKey: operatorKey });
  const rpc = new FlakyRpc(direct.evm as EmbeddedEvm);
  const url = await rpc.listen();
  cleanup.push(
    () => direct.chain.close(),
    () => rpc.close(),
  );
  const transport = http(url, { retryCount: 0, timeout: 2_000 });
  const chain = new ViemLedgerChain({
    kind: 'embedded',
    address: direct.chain.address,
    publicClient: createPublicClient({ chain: embeddedChain, transport }),
    walletClient: createWalletClient({ account: privateKeyToAccount(operatorKey), chain: embeddedChain, transport }),
    pollingIntervalMs: 5,
    receiptTimeoutMs: 5_000,
  });
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const clock = new ManualClock();
  const node = privateKeyToAccount(generatePrivateKey());
  const ledger = new QosLedger({
    db: openDatabase({ path: ':memory:' }),
    config,
    chain,
    chainFresh: true,
    nodeAddress: () => node.address,
    now: clock.now,
    random: () => 1,
    tickIntervalMs: 0,
    logger,
  });
  cleanup.push(() => ledger.close());
  await ledger.start();
  return { ledger, chain, rpc, clock, node, lines };
}

describe('ChainOutbox against a failing chain endpoint', () => {
  it('keeps every job while the endpoint is down, backs off, says so, and sends each exactly once when it is back', async () => {
    const { ledger, chain, rpc, clock, node, lines } = await flakySetup();
    rpc.mode = 'http500';
    await playSession(ledger, clock, {
      sessionId: 'ses_flaky',
      nodeId: 'node-1',
      node,
      player: privateKeyToAccount(generatePrivateKey()),
      minutes: 2,
    });
    ledger.flush();
    await ledger.drain();
    const pending = ledger.store.jobs.pending();
    expect(pending.map((job) => job.kind)).toEqual(['stake', 'allocate', 'settle', 'commit']);
    // Stake and commit were tried and failed (stake perhaps more than once: the ledger's own background runs
    // may have tried it while the session played and the clock moved); allocate and settle wait behind them.
    const attemptsOf = (kind: string) => pending.find((job) => job.kind === kind)!.attempts;
    expect(attemptsOf('stake')).toBeGreaterThanOrEqual(1);
    expect(attemptsOf('commit')).toBeGreaterThanOrEqual(1);
    expect(attemptsOf('allocate')).toBe(0);
    expect(attemptsOf('settle')).toBe(0);
    for (const job of pending) {
      expect(job.lastError?.split(':')[0] ?? null).toBe(job.attempts > 0 ? 'FW_ERR_CHAIN_UNAVAILABLE' : null);
    }
    const down = ledger.metrics.outbox!;
    expect(down.consecutiveFailures).toBe(attemptsOf('stake') + attemptsOf('commit'));
    expect(down.confirmed).toBe(0);
    expect(down.lastError).toMatch(/FW_ERR_CHAIN_UNAVAILABLE/);
    expect(lines.some((line) => line.msg === 'chain job failed; kept in the outbox and retried')).toBe(true);

    // Backoff: nothing is retried before its delay, then delays double up to the cap.
    const failedSoFar = rpc.failed;
    await ledger.drain();
    expect(rpc.failed).toBe(failedSoFar);
    rpc.mode = 'reset';
    const before = ledger.store.jobs.get('stake', node.address)!;
    clock.advance(before.nextAttemptAt - clock.now());
    await ledger.drain();
    const stake = ledger.store.jobs.get('stake', node.address)!;
    expect(stake.attempts).toBe(before.attempts + 1);
    // random() = 1: exactly initial × 2^(attempt − 1), capped at 8 s.
    expect(stake.nextAttemptAt - clock.now()).toBe(Math.min(8_000, 1_000 * 2 ** (stake.attempts - 1)));

    rpc.mode = 'ok';
    clock.advance(8_000);
    await ledger.drain();
    expect(ledger.store.jobs.pending()).toEqual([]);
    expect(ledger.metrics.outbox).toMatchObject({ confirmed: 4, consecutiveFailures: 0 });
    expect(lines.some((line) => line.msg === 'chain is back')).toBe(true);
    expect(await chain.allocationStatus(sessionKeyOf('ses_flaky'))).toBe(AllocationStatus.Settled);
    const batch = ledger.store.batches()[0]!;
    expect(await chain.batchRoot(batch.batchId)).toBe(batch.root);
  });

  it('retries a reverted transaction with backoff until the chain accepts it', async () => {
    const { ledger, chain, clock, node } = await flakySetup();
    // Allocation needs the provider's stake as collateral; hold the stake job back so allocate reverts.
    ledger.sessionPlaced({ sessionId: 'ses_rev', playerId: 'p', nodeId: 'node-1', targetFps: 60, latencyBudgetMs: 30 });
    const stake = ledger.store.jobs.get('stake', node.address)!;
    ledger.store.jobs.markDone(stake.id, clock.now(), null, null);
    await ledger.drain();
    const allocate = ledger.store.jobs.get('allocate', 'ses_rev')!;
    expect(allocate.status).toBe('pending');
    expect(allocate.lastError).toMatch(/FW_ERR_CHAIN_REVERTED: allocate reverted: InsufficientStake/);
    await chain.stakeFor(node.address, 10n ** 18n);
    clock.advance(1_000);
    await ledger.drain();
    expect(ledger.store.jobs.get('allocate', 'ses_rev')?.status).toBe('done');
    expect(await chain.allocationStatus(sessionKeyOf('ses_rev'))).toBe(AllocationStatus.Allocated);
  });
});

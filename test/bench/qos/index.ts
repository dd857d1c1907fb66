/**
 * QoS ledger bench, two figures:
 *
 * 1. Ingest: signed minute reports per second through `QosLedger` on one
 *    core (one Node thread): schema-valid reports from both sides of many
 *    sessions, each EIP-712 digest computed, its signer recovered and checked
 *    against the bound key, the report stored in SQLite with
 *    synchronous=FULL (a file, not memory), and every minute record judged
 *    and written. The split (digest + recovery vs. the rest) is printed.
 *
 * 2. Gas per report on the embedded EVM (Hardhat's EDR, the FramewayLedger
 *    contract): anchoring every 5 reports (the Aethir-style checker batch)
 *    against Frameway's batching policy (Merkle root per batch of up to
 *    `batch.maxLeaves` records across sessions, or whatever is pending after
 *    `batch.maxAgeMs`), for several fleet sizes. Both measured in this run;
 *    the ratio is anchor ÷ policy.
 *
 * Environment:
 *   BENCH_QOS_SESSIONS  sessions in the ingest run (default 50)
 *   BENCH_QOS_MINUTES   minutes per session in the ingest run (default 20)
 *   BENCH_QOS_ANCHORS   anchor commits of 5 measured (default 100)
 *   BENCH_QOS_FLEETS    comma list of concurrent sessions for the policy (default 10,100,1000)
 *   BENCH_QOS_HOURS     hours of traffic simulated per fleet size (default 1)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Batcher,
  createLedgerChain,
  EMBEDDED_CHAIN_ID,
  LedgerStore,
  ledgerConfig,
  MerkleTree,
  openDatabase,
  QosLedger,
} from '@frameway/gateway/ledger';
import {
  agentReportDigest,
  minuteRecordLeafHash,
  qosDomain,
  recoverSigner,
  type SignedAgentReport,
  type SignedClientReport,
  sessionKeyOf,
  signAgentReport,
  signClientReport,
  signKeyBinding,
  ZERO_BYTES32,
} from '@frameway/protocol/qos';
import { type Hex, keccak256, toHex, zeroAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
// Test fixtures are not part of the package's public entry: taken by path.
import {
  healthyAgentReport,
  healthyClientReport,
  ManualClock,
  silentLogger,
} from '../../../gateway/src/ledger/testing/qosFixtures.js';
import { formatTable, machineInfo, writeBenchResults } from '../../support/benchReport.js';

const env = process.env;
const SESSIONS = Number(env.BENCH_QOS_SESSIONS ?? 50);
const MINUTES = Number(env.BENCH_QOS_MINUTES ?? 20);
const ANCHORS = Number(env.BENCH_QOS_ANCHORS ?? 100);
const FLEETS = (env.BENCH_QOS_FLEETS ?? '10,100,1000').split(',').map(Number);
const HOURS = Number(env.BENCH_QOS_HOURS ?? 1);
const INTERVAL = 60_000;
const ANCHOR_SIZE = 5;

interface IngestResult {
  mode: string;
  reports: number;
  seconds: number;
  reportsPerSecond: number;
  cpuSeconds: number;
  recordsWritten: number;
}

interface SignedMinute {
  id: string;
  agent: SignedAgentReport;
  client: SignedClientReport;
}

const START = 1_767_225_600_000;
const node = privateKeyToAccount(generatePrivateKey());
const players = Array.from({ length: SESSIONS }, (_, i) => ({
  id: `ses_bench_${i}`,
  player: privateKeyToAccount(generatePrivateKey()),
}));
// Minute 0 starts 1 s after placement in every run (ManualClock starts at START).
const STREAMING_AT = START + 1_000;

/** Every report both sides send, signed up front: signing is the reporters' cost, not the gateway's. */
async function signAll(): Promise<SignedMinute[][]> {
  const domain = qosDomain(EMBEDDED_CHAIN_ID, zeroAddress);
  const minutes: SignedMinute[][] = [];
  for (let minute = 0; minute < MINUTES; minute++) {
    const row: SignedMinute[] = [];
    for (const { id, player } of players) {
      const window = {
        sessionId: id,
        minuteIndex: minute,
        windowStart: STREAMING_AT + minute * INTERVAL,
        intervalMs: INTERVAL,
        fps: 60,
      };
      const agent = healthyAgentReport({ ...window, nodeId: 'node-1' });
      const client = healthyClientReport(window);
      row.push({
        id,
        agent: { report: agent, signature: await signAgentReport(node, domain, agent) },
        client: { report: client, signature: await signClientReport(player, domain, client) },
      });
    }
    minutes.push(row);
  }
  return minutes;
}

/**
 * Feeds every report into a fresh ledger on a database file. `concurrent`:
 * a minute's reports arrive together, as from many sockets (group commit);
 * otherwise one at a time, each waiting for its own commit.
 */
async function ingest(minutes: SignedMinute[][], concurrent: boolean): Promise<IngestResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-qos-bench-'));
  const db = openDatabase({ path: join(dir, 'gateway.db'), synchronous: 'FULL' });
  const clock = new ManualClock(START);
  const ledger = new QosLedger({
    db,
    config: ledgerConfig({ intervalMs: INTERVAL, chain: { kind: 'none' } }),
    nodeAddress: () => node.address,
    now: clock.now,
    tickIntervalMs: 0,
    logger: silentLogger(),
  });
  try {
    await ledger.start();
    for (const { id } of players) {
      ledger.sessionPlaced({ sessionId: id, playerId: 'p', nodeId: 'node-1', targetFps: 60, latencyBudgetMs: 30 });
    }
    clock.set(STREAMING_AT);
    for (const { id, player } of players) {
      ledger.sessionStreaming(id);
      await ledger.bindClientKey(id, player.address, await signKeyBinding(player, id));
    }
    let elapsed = 0;
    const cpuBefore = process.cpuUsage();
    for (const [minute, row] of minutes.entries()) {
      clock.set(STREAMING_AT + (minute + 1) * INTERVAL + 50);
      const t0 = performance.now();
      if (concurrent) {
        await Promise.all(
          row.flatMap((entry) => [
            ledger.acceptAgentReport('node-1', entry.agent),
            ledger.acceptClientReport(entry.id, entry.client),
          ]),
        );
      } else {
        for (const entry of row) {
          await ledger.acceptAgentReport('node-1', entry.agent);
          await ledger.acceptClientReport(entry.id, entry.client);
        }
      }
      elapsed += performance.now() - t0;
    }
    const cpu = process.cpuUsage(cpuBefore);
    const reports = minutes.length * players.length * 2;
    return {
      mode: concurrent ? 'a minute of reports at once (group commit)' : 'one report at a time (a commit each)',
      reports,
      seconds: elapsed / 1000,
      reportsPerSecond: reports / (elapsed / 1000),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      recordsWritten: ledger.metrics.recordsWritten,
    };
  } finally {
    ledger.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The signature part alone: EIP-712 digest + public-key recovery. */
async function verifyOnly(minutes: SignedMinute[][]): Promise<number> {
  const domain = qosDomain(EMBEDDED_CHAIN_ID, zeroAddress);
  const sample = minutes.flat().slice(0, 300);
  const t0 = performance.now();
  for (const entry of sample) await recoverSigner(agentReportDigest(domain, entry.agent.report), entry.agent.signature);
  return ((performance.now() - t0) / sample.length) * 1000;
}

interface GasRow {
  scenario: string;
  reports: number;
  commits: number;
  leavesPerCommit: number;
  gasPerCommit: number;
  gasPerReport: number;
}

function syntheticLeaf(sessionIndex: number, minute: number) {
  return {
    sessionKey: sessionKeyOf(`ses_${sessionIndex}`),
    minuteIndex: minute,
    startedAt: 1_767_225_600_000 + minute * INTERVAL,
    slaMet: (sessionIndex + minute) % 17 !== 0,
    failureMask: (sessionIndex + minute) % 17 === 0 ? 1 : 0,
    fpsMilli: 59_900,
    p95LatencyUs: 21_000,
    agentReportDigest: keccak256(toHex(`a${sessionIndex}:${minute}`)),
    clientReportDigest:
      (sessionIndex + minute) % 23 === 0 ? ZERO_BYTES32 : keccak256(toHex(`c${sessionIndex}:${minute}`)),
  };
}

async function gas(): Promise<{ rows: GasRow[]; perSession: Record<string, number> }> {
  const config = ledgerConfig();
  const { chain } = await createLedgerChain(config.chain, { embeddedOperatorKey: generatePrivateKey() });
  try {
    // Anchor: one commit per 5 reports.
    const anchorGas: bigint[] = [];
    for (let i = 0; i < ANCHORS; i++) {
      const tree = new MerkleTree(
        Array.from({ length: ANCHOR_SIZE }, (_, j) => minuteRecordLeafHash(syntheticLeaf(i, j))),
      );
      const tx = await chain.commitBatch(keccak256(toHex(`anchor ${i}`)), tree.root, ANCHOR_SIZE);
      anchorGas.push(tx.gasUsed);
    }
    const anchorPerCommit = Number(anchorGas.reduce((a, b) => a + b, 0n)) / anchorGas.length;
    const rows: GasRow[] = [
      {
        scenario: `anchor: every ${ANCHOR_SIZE} reports`,
        reports: ANCHORS * ANCHOR_SIZE,
        commits: ANCHORS,
        leavesPerCommit: ANCHOR_SIZE,
        gasPerCommit: anchorPerCommit,
        gasPerReport: anchorPerCommit / ANCHOR_SIZE,
      },
    ];
    // Policy: the real Batcher over simulated traffic, every batch committed for real.
    for (const fleet of FLEETS) {
      const clock = new ManualClock();
      const store = new LedgerStore(openDatabase({ path: ':memory:' }));
      const batcher = new Batcher({
        store,
        policy: config.batch,
        ledgerId: `bench-${fleet}`,
        anchor: false,
        now: clock.now,
      });
      const minutes = HOURS * 60;
      for (let minute = 0; minute < minutes; minute++) {
        clock.advance(INTERVAL);
        store.transaction(() => {
          for (let s = 0; s < fleet; s++) {
            const leaf = syntheticLeaf(s, minute);
            store.insertRecord({
              sessionId: `ses_${s}`,
              minuteIndex: minute,
              startedAt: leaf.startedAt,
              slaMet: leaf.slaMet,
              failureMask: leaf.failureMask,
              fpsMilli: leaf.fpsMilli,
              p95LatencyUs: leaf.p95LatencyUs,
              rttP95Us: 9_000,
              inputP95Us: null,
              agentDigest: leaf.agentReportDigest,
              clientDigest: leaf.clientReportDigest,
              leafHash: minuteRecordLeafHash(leaf),
              createdAt: clock.now(),
            });
          }
        });
        batcher.flush(false);
      }
      clock.advance(config.batch.maxAgeMs);
      batcher.flush(false);
      const batches = store.batches();
      let total = 0n;
      for (const batch of batches)
        total += (await chain.commitBatch(batch.batchId as Hex, batch.root as Hex, batch.leafCount)).gasUsed;
      const reports = fleet * minutes * 2;
      rows.push({
        scenario: `frameway: ${fleet} sessions, ${HOURS} h`,
        reports,
        commits: batches.length,
        leavesPerCommit: (fleet * minutes) / batches.length,
        gasPerCommit: Number(total) / batches.length,
        // A minute record carries two reports (agent + client).
        gasPerReport: Number(total) / reports,
      });
      store.db.close();
    }
    // What a session costs on chain besides its reports (not per report).
    const provider = privateKeyToAccount(generatePrivateKey()).address;
    const sessionKey = sessionKeyOf('ses_gas');
    const stake = await chain.stakeFor(provider, 10n ** 18n);
    const allocate = await chain.allocate({
      sessionKey,
      provider,
      pricePerBlockWei: 10n ** 15n,
      escrowWei: 8n * 10n ** 15n,
      slaMinBps: 9500,
      penaltyBps: 1000,
    });
    const settle = await chain.settle({
      sessionKey,
      durationSec: 3600,
      totalMinutes: 60,
      failedBitmap: [0b101n],
      p50LatencyUs: 20_000,
      p95LatencyUs: 30_000,
      fpsP5Milli: 59_000,
    });
    return {
      rows,
      perSession: {
        stakeFor: Number(stake.gasUsed),
        allocate: Number(allocate.gasUsed),
        settle: Number(settle.gasUsed),
      },
    };
  } finally {
    chain.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  console.log(`qos bench: ingest ${SESSIONS} sessions × ${MINUTES} minutes × 2 sides`);
  process.stdout.write(`signing ${SESSIONS * MINUTES * 2} reports… `);
  const signed = await signAll();
  process.stdout.write('done\n');
  const runs = [await ingest(signed, true), await ingest(signed, false)];
  const verifyUs = await verifyOnly(signed);
  console.log(
    formatTable(
      ['ingest: verify, judge, SQLite synchronous=FULL (1 thread)', 'reports', 'seconds', 'reports/s', 'cpu s'],
      runs.map((run) => [
        run.mode,
        String(run.reports),
        run.seconds.toFixed(2),
        run.reportsPerSecond.toFixed(0),
        run.cpuSeconds.toFixed(2),
      ]),
    ),
  );
  console.log(
    `signature check alone (EIP-712 digest + secp256k1 recovery): ${verifyUs.toFixed(0)} µs/report = ${(1e6 / verifyUs).toFixed(0)} reports/s`,
  );
  console.log('\ngas on the embedded EVM (EDR, cancun), commitBatch only:');
  const measured = await gas();
  // The anchor counts one report per leaf; a Frameway leaf is a minute record of two reports.
  const anchor = measured.rows[0]!;
  const rows = measured.rows.map((row, i) => [
    row.scenario,
    String(row.reports),
    String(row.commits),
    row.leavesPerCommit.toFixed(0),
    row.gasPerCommit.toFixed(0),
    row.gasPerReport.toFixed(i === 0 ? 0 : 2),
    i === 0 ? '1' : (anchor.gasPerReport / row.gasPerReport).toFixed(0),
  ]);
  console.log(
    formatTable(['scenario', 'reports', 'commits', 'leaves/commit', 'gas/commit', 'gas/report', 'anchor ÷ this'], rows),
  );
  console.log(
    `per session (not per report): stakeFor ${measured.perSession.stakeFor}, allocate ${measured.perSession.allocate}, settle ${measured.perSession.settle} gas`,
  );
  const ratios = measured.rows
    .slice(1)
    .map((row) => ({ scenario: row.scenario, ratio: anchor.gasPerReport / row.gasPerReport }));
  console.log(
    `\nratio (anchor gas/report ÷ frameway gas/report): ${ratios.map((r) => `${r.ratio.toFixed(0)}× (${r.scenario})`).join(', ')}`,
  );
  const files = writeBenchResults('qos', {
    bench: 'qos',
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    config: {
      sessions: SESSIONS,
      minutes: MINUTES,
      anchors: ANCHORS,
      fleets: FLEETS,
      hours: HOURS,
      batch: ledgerConfig().batch,
    },
    machine: machineInfo(),
    ingest: { runs, verifyUsPerReport: verifyUs },
    gas: measured,
    ratios,
  });
  console.log(`results: ${files.file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/launchChromium.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { type StartedFrameway, startFrameway } from '../support/startFrameway.js';

const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
if (missing.length > 0) console.warn(`[skip] end-to-end QoS ledger test: missing ${missing.join(', ')}`);

const INTERVAL_MS = 4_000;
const GRACE_MS = 2_500;

interface RecordRow {
  minute_index: number;
  sla_met: number;
  failure_mask: number;
  fps_milli: number;
  agent_digest: string;
  client_digest: string;
  batch_id: string | null;
}

const ZERO = `0x${'0'.repeat(64)}`;

async function eventually<T>(read: () => T, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(missing.length > 0)('QoS ledger end to end (real gateway, agent, ffmpeg, Chromium)', () => {
  let dir: string;
  let frameway: StartedFrameway;
  let chrome: LaunchedChromium;
  let page: Page;
  let db: Database.Database;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fw-qos-e2e-'));
    frameway = await startFrameway({
      port: 0,
      env: {
        FRAMEWAY_DATABASE: join(dir, 'gateway.db'),
        FRAMEWAY_QOS_INTERVAL_MS: String(INTERVAL_MS),
        FRAMEWAY_QOS_GRACE_MS: String(GRACE_MS),
        FRAMEWAY_BATCH_MAX_AGE_MS: '1000',
        FRAMEWAY_CHALLENGE_WINDOW_S: '5',
      },
    });
    chrome = await launchChromium();
    page = await chrome.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(frameway.url);
    await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
  });

  afterAll(async () => {
    db?.close();
    await chrome?.[Symbol.asyncDispose]();
    await frameway?.[Symbol.asyncDispose]();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records every minute from both sides signed reports, anchors them and settles the session on chain', async () => {
    const sessionId = await page.evaluate(
      () => (window as unknown as { framewaySession: { sessionId: string } }).framewaySession.sessionId,
    );
    await page.click('#video').catch(() => undefined);
    // Three report intervals with key presses: the player measures input-to-photon on the scene's marker.
    const until = Date.now() + 3 * INTERVAL_MS + 500;
    while (Date.now() < until) {
      await page.keyboard.press(Date.now() % 2 === 0 ? 'KeyA' : 'Space');
      await page.waitForTimeout(250);
    }
    await page.evaluate(() => (window as unknown as { framewaySession: { close(): void } }).framewaySession.close());

    db = new Database(join(dir, 'gateway.db'), { readonly: true, fileMustExist: true });
    const jobs = () =>
      db.prepare('SELECT kind, status, last_error FROM ledger_jobs ORDER BY id').all() as Array<{
        kind: string;
        status: string;
        last_error: string | null;
      }>;
    // Minutes close after the grace, the session settles, its batch is anchored, and the outbox drains.
    const done = await eventually(
      jobs,
      (rows) => rows.some((r) => r.kind === 'settle') && rows.every((r) => r.status === 'done'),
      GRACE_MS + 20_000,
      'the chain jobs to finish',
    );
    expect(done.map((r) => r.kind)).toEqual(expect.arrayContaining(['stake', 'allocate', 'commit', 'settle']));

    const records = db
      .prepare('SELECT * FROM ledger_records WHERE session_id = ? ORDER BY minute_index')
      .all(sessionId) as RecordRow[];
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const record of records) {
      // Both sides' signed reports verified and went into the record.
      expect(record.agent_digest, `agent report of minute ${record.minute_index}`).not.toBe(ZERO);
      expect(record.client_digest, `client report of minute ${record.minute_index}`).not.toBe(ZERO);
      expect(record.batch_id).not.toBeNull();
      expect(record.fps_milli).toBeGreaterThan(10_000);
    }
    const reports = db
      .prepare('SELECT side, report FROM ledger_reports WHERE session_id = ? ORDER BY minute_index')
      .all(sessionId) as Array<{ side: string; report: string }>;
    const client = reports.filter((r) => r.side === 'client').map((r) => JSON.parse(r.report));
    const agent = reports.filter((r) => r.side === 'agent').map((r) => JSON.parse(r.report));
    expect(agent.every((r) => r.framesEncoded > 0 && r.encodeTimeUsP95 > 0)).toBe(true);
    expect(client.every((r) => r.framesDecoded > 0 && r.rttUsP95 >= 0)).toBe(true);
    // Key presses were seen on screen: input-to-photon measured in the page.
    const measured = client.filter((r) => r.inputSamples > 0);
    expect(measured.length).toBeGreaterThan(0);
    for (const r of measured) {
      expect(r.inputToPhotonUsP50).toBeGreaterThan(1_000);
      expect(r.inputToPhotonUsP95).toBeLessThan(1_000_000);
    }
    const batches = db.prepare('SELECT committed_at, tx_hash FROM ledger_batches').all() as Array<{
      committed_at: number | null;
      tx_hash: string | null;
    }>;
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.committed_at !== null)).toBe(true);
  });
});

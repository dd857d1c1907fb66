import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/openDatabase.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { FleetStore } from './FleetStore.js';

const dirs: string[] = [];

function databaseFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-fleet-'));
  dirs.push(dir);
  return join(dir, 'gateway.db');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('FleetStore', () => {
  it('keeps nodes, coordinates, identities and events across a close and reopen of the database file', () => {
    const path = databaseFile();
    let db = openDatabase({ path });
    let store = new FleetStore({ db, now: () => 5000 });
    const berlin = { region: 'eu', country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.4 };
    const node = nodeRecord('n1', {
      address: '0xabc',
      region: 'eu',
      location: berlin,
      reputation: 0.8125,
      drainRequested: true,
      status: 'draining',
      pricePerBlock: 2.5,
      stakeWei: '1000000000000000000000',
      reservedSessions: 2,
      reportedSessions: 2,
      cpuLoad: 0.5,
      sessionsCompleted: 7,
      sessionsFailed: 1,
      firstSeenAt: 1000,
    });
    store.saveNodes([{ record: node, coordinate: { vec: [1.23456, 2, 3, 4], height: 0.5, error: 0.25 } }]);
    store.bindIdentity('n1', '0xABC');
    store.recordEvent('n1', 'up', '0xabc');
    store.recordEvent('n1', 'drain', 'admin');
    db.close();

    db = openDatabase({ path });
    store = new FleetStore({ db, now: () => 9000 });
    const [loaded, ...rest] = store.loadNodes();
    expect(rest).toEqual([]);
    expect(loaded).toEqual({
      record: {
        ...node,
        // What belonged to the connection is gone: the node is down until its agent registers again.
        status: 'down',
        reservedSessions: 0,
        reportedSessions: 0,
        cpuLoad: undefined,
      },
      coordinate: { vec: [1.235, 2, 3, 4], height: 0.5, error: 0.25 },
      lastSeenAt: 5000,
    });
    expect(store.boundAddress('n1')).toBe('0xabc');
    expect(store.events('n1').map((e) => [e.kind, e.detail, e.at])).toEqual([
      ['drain', 'admin', 5000],
      ['up', '0xabc', 5000],
    ]);
    db.close();
  });

  it('keeps the stored coordinate when a later save has none, and replaces it when it has one', () => {
    const store = new FleetStore({ db: openDatabase({ path: ':memory:' }) });
    const coordinate = { vec: [1, 2, 3, 4], height: 1, error: 0.5 };
    store.saveNodes([{ record: nodeRecord('n1'), coordinate }]);
    store.saveNodes([{ record: nodeRecord('n1', { reputation: 0.9 }), coordinate: undefined }]);
    expect(store.loadNodes()[0]).toMatchObject({ coordinate, record: { reputation: 0.9 } });
    store.saveNodes([{ record: nodeRecord('n1'), coordinate: { ...coordinate, height: 7 } }]);
    expect(store.loadNodes()[0]!.coordinate).toMatchObject({ height: 7 });
  });

  it('records when a node was last seen: now while it is connected, its last heartbeat once down', () => {
    let now = 10_000;
    const store = new FleetStore({ db: openDatabase({ path: ':memory:' }), now: () => now });
    store.saveNodes([
      { record: nodeRecord('up'), coordinate: undefined },
      { record: nodeRecord('down', { status: 'down', lastHeartbeatAt: 4000 }), coordinate: undefined },
    ]);
    now = 20_000;
    const seen = Object.fromEntries(store.loadNodes().map((n) => [n.record.nodeId, n.lastSeenAt]));
    expect(seen).toEqual({ up: 10_000, down: 4000 });
  });

  it('binds an agent id to the first key that proves it, and never rebinds', () => {
    const store = new FleetStore({ db: openDatabase({ path: ':memory:' }) });
    expect(store.boundAddress('n1')).toBeUndefined();
    store.bindIdentity('n1', '0xAAA');
    store.bindIdentity('n1', '0xbbb');
    expect(store.boundAddress('n1')).toBe('0xaaa');
  });

  it('lists a node’s events newest first, and drops events older than the retention when it opens', () => {
    const path = databaseFile();
    let now = 1000;
    let db = openDatabase({ path });
    let store = new FleetStore({ db, now: () => now });
    for (const kind of ['up', 'drain', 'undrain', 'down']) {
      store.recordEvent('n1', kind, 'x'.repeat(600));
      now += 1000;
    }
    store.recordEvent('n2', 'up');
    expect(store.events('n1', 2).map((e) => e.kind)).toEqual(['down', 'undrain']);
    expect(store.events('n1')[0]!.detail).toHaveLength(512);
    expect(store.events('n2')).toEqual([{ nodeId: 'n2', at: 5000, kind: 'up', detail: undefined }]);
    db.close();

    now = 6000;
    db = openDatabase({ path });
    store = new FleetStore({ db, now: () => now, eventRetentionMs: 3500 }); // keeps events at or after 2500
    expect(store.events('n1').map((e) => e.kind)).toEqual(['down', 'undrain']);
    db.close();
  });
});

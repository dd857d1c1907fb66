import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './openDatabase.js';

describe('openDatabase and migrate', () => {
  it('applies each namespace migration once and survives reopening the file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fw-db-')), 'gateway.db');
    const migrations = [
      { version: 1, name: 'nodes', up: 'CREATE TABLE nodes (id TEXT PRIMARY KEY)' },
      { version: 2, name: 'region', up: 'ALTER TABLE nodes ADD COLUMN region TEXT' },
    ];
    let db = openDatabase({ path });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(migrate(db, 'registry', migrations)).toBe(2);
    db.prepare('INSERT INTO nodes (id, region) VALUES (?, ?)').run('n1', 'eu');
    db.close();
    db = openDatabase({ path });
    expect(migrate(db, 'registry', migrations)).toBe(0);
    expect(migrate(db, 'ledger', [{ version: 1, name: 'outbox', up: 'CREATE TABLE outbox (id INTEGER)' }])).toBe(1);
    expect(db.prepare('SELECT region FROM nodes WHERE id = ?').get('n1')).toEqual({ region: 'eu' });
    db.close();
  });

  it('rolls back a failing migration and refuses duplicate versions', () => {
    const db = openDatabase({ path: ':memory:' });
    expect(() =>
      migrate(db, 'x', [{ version: 1, name: 'bad', up: 'CREATE TABLE a (id INT); CREATE TABLE a (id INT);' }]),
    ).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined();
    expect(() =>
      migrate(db, 'y', [
        { version: 1, name: 'a', up: '' },
        { version: 1, name: 'b', up: '' },
      ]),
    ).toThrow(/duplicate/);
  });
});

import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/openDatabase.js';
import { LedgerStore } from '../store/LedgerStore.js';
import { GroupCommit } from './GroupCommit.js';

function storeWithCountedTransactions(): { store: LedgerStore; transactions: () => number } {
  const store = new LedgerStore(openDatabase({ path: ':memory:' }));
  let outer = 0;
  let depth = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = <T>(fn: () => T): T => {
    if (depth === 0) outer++;
    depth++;
    try {
      return transaction(fn);
    } finally {
      depth--;
    }
  };
  return { store, transactions: () => outer };
}

describe('GroupCommit', () => {
  it('commits the writes queued in one turn of the event loop in one transaction, each resolving with its value', async () => {
    const { store, transactions } = storeWithCountedTransactions();
    const commits = new GroupCommit(store);
    const results = await Promise.all([
      commits.durably(() => store.setMeta('a', '1')),
      commits.durably(() => 2),
      commits.durably(() => store.metaOrInsert('b', '3')),
    ]);
    expect(results).toEqual([undefined, 2, '3']);
    expect(transactions()).toBe(1);
    expect(store.meta('a')).toBe('1');
    store.db.close();
  });

  it('rejects only the write that throws, rolling back its changes and keeping the others', async () => {
    const { store } = storeWithCountedTransactions();
    const commits = new GroupCommit(store);
    const failing = commits.durably(() => {
      store.setMeta('half', 'written');
      throw new Error('bad write');
    });
    const fine = commits.durably(() => store.metaOrInsert('kept', 'yes'));
    await expect(failing).rejects.toThrow('bad write');
    await expect(fine).resolves.toBe('yes');
    expect(store.meta('half')).toBeUndefined();
    store.db.close();
  });

  it('commits what is queued when asked to, before its turn comes (close while reports are in flight)', async () => {
    const { store } = storeWithCountedTransactions();
    const commits = new GroupCommit(store);
    const write = commits.durably(() => store.metaOrInsert('early', 'now'));
    commits.commit();
    store.db.close(); // the queued turn must then find nothing to do rather than touch a closed database
    await expect(write).resolves.toBe('now');
    await new Promise((resolve) => setImmediate(resolve));
  });
});

import { describe, expect, it } from 'vitest';
import type { AgentSession } from './AgentSession.js';
import { SessionTable } from './SessionTable.js';

const session = (sessionId: string, channel: number) => ({ sessionId, channel }) as AgentSession;

describe('SessionTable', () => {
  it('finds sessions by id and by input channel', () => {
    const table = new SessionTable(2);
    const a = session('a', 1);
    table.add(a);
    expect(table.get('a')).toBe(a);
    expect(table.byChannel(1)).toBe(a);
    expect(table.byChannel(2)).toBeUndefined();
  });

  it('refuses a session beyond its capacity with FW_ERR_NO_CAPACITY', () => {
    const table = new SessionTable(1);
    table.add(session('a', 1));
    expect(table.hasCapacity).toBe(false);
    expect(() => table.add(session('b', 2))).toThrow(expect.objectContaining({ code: 'FW_ERR_NO_CAPACITY' }));
  });

  it('refuses a duplicate id or channel with FW_ERR_INVALID_STATE', () => {
    const table = new SessionTable(4);
    table.add(session('a', 1));
    expect(() => table.add(session('a', 2))).toThrow(expect.objectContaining({ code: 'FW_ERR_INVALID_STATE' }));
    expect(() => table.add(session('b', 1))).toThrow(expect.objectContaining({ code: 'FW_ERR_INVALID_STATE' }));
  });

  it('removes only the exact session object, freeing its slot and channel', () => {
    const table = new SessionTable(1);
    const a = session('a', 1);
    table.add(a);
    expect(table.remove(session('a', 1))).toBe(false);
    expect(table.remove(a)).toBe(true);
    expect(table.size).toBe(0);
    table.add(session('b', 1));
    expect(table.byChannel(1)?.sessionId).toBe('b');
  });
});

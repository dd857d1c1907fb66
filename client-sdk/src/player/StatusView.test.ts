import { describe, expect, it } from 'vitest';
import { StatusView } from './StatusView.js';

function view() {
  const element = { dataset: {} as DOMStringMap, title: '' };
  const text = { textContent: '' as string | null };
  return { element, text, status: new StatusView(element, text) };
}

describe('StatusView', () => {
  it('writes the state to data-state and a readable line', () => {
    const { element, text, status } = view();
    status.show('placing');
    expect(element.dataset).toEqual({ state: 'placing' });
    expect(text.textContent).toContain('Finding a server');
  });

  it('on end sets data-state, data-reason and data-code, and then stays put', () => {
    const { element, status } = view();
    status.show('streaming');
    status.ended({ reason: 'connection_lost', code: 'FW_ERR_CONNECTION_CLOSED', message: 'socket closed' });
    status.show('streaming');
    status.failed('start_failed', 'FW_ERR_INTERNAL', 'late');
    expect(element.dataset).toEqual({ state: 'ended', reason: 'connection_lost', code: 'FW_ERR_CONNECTION_CLOSED' });
    expect(element.title).toBe('FW_ERR_CONNECTION_CLOSED: socket closed');
  });

  it('leaves data-code off for an end without an error', () => {
    const { element, status } = view();
    status.ended({ reason: 'player_left' });
    expect(element.dataset).toEqual({ state: 'ended', reason: 'player_left' });
  });

  it('never shows a final state without its reason', () => {
    const { element, status } = view();
    status.show('ended');
    status.show('error');
    expect(element.dataset).toEqual({});
    status.failed('start_failed', 'FW_ERR_TOKEN_EXPIRED', 'expired');
    expect(element.dataset).toEqual({ state: 'error', reason: 'start_failed', code: 'FW_ERR_TOKEN_EXPIRED' });
  });
});

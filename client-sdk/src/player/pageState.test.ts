import { SessionEndReason } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { pageStateOf, reasonText, statusText } from './pageState.js';

describe('pageStateOf', () => {
  it('shows streaming only once the gateway streams and the peer connection is up', () => {
    expect(pageStateOf('streaming', false)).toBe('starting');
    expect(pageStateOf('streaming', true)).toBe('streaming');
  });

  it('shows reconnecting while a dropped connection is resumed, until the session ends', () => {
    expect(pageStateOf('streaming', true, true)).toBe('reconnecting');
    expect(pageStateOf('ended', true, true)).toBe('ended');
    expect(statusText('reconnecting')).toBe('Reconnecting…');
  });

  it('passes the other session states through', () => {
    for (const state of ['connecting', 'placing', 'starting', 'ended'] as const) {
      expect(pageStateOf(state, false)).toBe(state);
    }
  });
});

describe('status texts', () => {
  it('has a human reason for every end reason', () => {
    for (const reason of Object.values(SessionEndReason)) {
      expect(reasonText(reason)).not.toContain('_');
    }
    expect(reasonText('some_future_reason')).toBe('some future reason');
  });

  it('joins the state and the detail', () => {
    expect(statusText('streaming')).toBe('Live');
    expect(statusText('ended', 'the game exited')).toBe('Session ended — the game exited');
  });
});

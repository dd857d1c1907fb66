import { describe, expect, it } from 'vitest';
import { playerParams } from './mountPlayer.js';

describe('playerParams', () => {
  it('defaults to demo mode without pointer lock or stats', () => {
    expect(playerParams('', '')).toEqual({ pointerLock: false, showStats: false });
  });

  it('reads flags from the query and the token from the fragment', () => {
    expect(
      playerParams('?pointerLock=1&stats=true', '#token=abc.def&signalingUrl=wss%3A%2F%2Fgw%2Fws%2Fplayer'),
    ).toEqual({
      pointerLock: true,
      showStats: true,
      token: 'abc.def',
      signalingUrl: 'wss://gw/ws/player',
    });
  });

  it('ignores a token in the query, where it would leak into server logs', () => {
    expect(playerParams('?token=abc', '')).toEqual({ pointerLock: false, showStats: false });
  });
});

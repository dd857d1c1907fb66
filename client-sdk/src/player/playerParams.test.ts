import { describe, expect, it } from 'vitest';
import { playerParams } from './playerParams.js';

describe('playerParams', () => {
  it('defaults to demo mode, tuned playout, without pointer lock or stats', () => {
    expect(playerParams('', '')).toEqual({
      pointerLock: false,
      showStats: false,
      lowLatency: true,
      acceptOverBudget: false,
    });
  });

  it('reads flags from the query and the token from the fragment', () => {
    expect(
      playerParams(
        '?pointerLock=1&stats=true&lowLatency=0',
        '#token=abc.def&signalingUrl=wss%3A%2F%2Fgw%2Fws%2Fplayer',
      ),
    ).toEqual({
      pointerLock: true,
      showStats: true,
      lowLatency: false,
      acceptOverBudget: false,
      token: 'abc.def',
      signalingUrl: 'wss://gw/ws/player',
    });
  });

  it('keeps the default for a flag it cannot read', () => {
    expect(playerParams('?lowLatency=maybe&stats=&touch=pen', '')).toEqual({
      pointerLock: false,
      showStats: false,
      lowLatency: true,
      acceptOverBudget: false,
    });
  });

  it('reads what a finger is', () => {
    expect(playerParams('?touch=touch', '').touch).toBe('touch');
    expect(playerParams('?touch=mouse', '').touch).toBe('mouse');
  });

  it('ignores a token in the query, where it would leak into server logs', () => {
    expect(playerParams('?token=abc', '')).toEqual({
      pointerLock: false,
      showStats: false,
      lowLatency: true,
      acceptOverBudget: false,
    });
  });
});

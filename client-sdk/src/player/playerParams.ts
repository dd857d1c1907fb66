/** What a player page reads from its URL: `?pointerLock=1&stats=1&lowLatency=0#token=…&signalingUrl=…`. */
export interface PlayerParams {
  pointerLock: boolean;
  showStats: boolean;
  /** `?lowLatency=0` turns the playout tuning off (for side-by-side latency comparisons). */
  lowLatency: boolean;
  /** `?acceptOverBudget=1`: play on the nearest node even when it is over the title's latency budget. */
  acceptOverBudget: boolean;
  /** `?touch=touch|mouse`: what a finger is; each page has its own default when absent. */
  touch?: 'touch' | 'mouse';
  /** A player token handed over in the fragment (never sent to servers); demo mode when absent. */
  token?: string;
  signalingUrl?: string;
}

/** Parses the page URL's parameters; the token travels in the fragment so it stays out of server logs. */
export function playerParams(search: string, hash: string): PlayerParams {
  const query = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  const flag = (name: string, fallback: boolean): boolean => {
    const value = query.get(name);
    if (value === null) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    return fallback;
  };
  const params: PlayerParams = {
    pointerLock: flag('pointerLock', false),
    showStats: flag('stats', false),
    lowLatency: flag('lowLatency', true),
    acceptOverBudget: flag('acceptOverBudget', false),
  };
  const touch = query.get('touch');
  if (touch === 'touch' || touch === 'mouse') params.touch = touch;
  const token = fragment.get('token');
  const signalingUrl = fragment.get('signalingUrl');
  if (token) params.token = token;
  if (signalingUrl) params.signalingUrl = signalingUrl;
  return params;
}

/** The player socket's path on a gateway. */
export const PLAYER_SOCKET_PATH = '/ws/player';

/**
 * The player socket URL: `signalingUrl` when given (relative URLs resolve
 * against the gateway), otherwise the gateway URL with `ws(s):` and PLAYER_SOCKET_PATH.
 *
 * @example signalingUrlFor('https://eu1.example.net') // 'wss://eu1.example.net/ws/player'
 */
export function signalingUrlFor(gatewayUrl: string, signalingUrl?: string): string {
  const gateway = new URL(gatewayUrl);
  if (!/^(https?|wss?):$/.test(gateway.protocol)) {
    throw new TypeError(`gatewayUrl must be an http(s) or ws(s) URL, got ${gatewayUrl}`);
  }
  let url: URL;
  if (signalingUrl === undefined) {
    url = new URL(gateway.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${PLAYER_SOCKET_PATH}`;
    url.search = '';
    url.hash = '';
  } else {
    url = new URL(signalingUrl, gateway);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`signalingUrl must be a ws(s) URL, got ${url.href}`);
  }
  return url.href;
}

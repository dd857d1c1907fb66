import type { ConnectOptions } from './connectOptions.js';
import { FramewaySession } from './FramewaySession.js';

/**
 * Opens the player socket, joins the session the token was issued for, and
 * starts the WebRTC connection. Resolves once the gateway accepted the player;
 * rejects with a FramewayError (FW_ERR_UNAUTHORIZED, FW_ERR_TOKEN_EXPIRED,
 * FW_ERR_NO_CAPACITY, FW_ERR_TIMEOUT, ...) otherwise.
 *
 * @example
 * const session = await connect({ gatewayUrl: 'https://gw.example', token });
 * session.on('ended', ({ reason, code }) => console.log(reason, code));
 * session.attach(document.querySelector('video')!);
 */
export function connect(options: ConnectOptions): Promise<FramewaySession> {
  try {
    return new FramewaySession(options).ready;
  } catch (error) {
    return Promise.reject(error);
  }
}

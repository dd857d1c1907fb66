import type { SessionState } from '../FramewaySession.js';

/** The states `#status[data-state]` shows; tests wait on these. */
export type PageState = 'connecting' | 'placing' | 'starting' | 'streaming' | 'reconnecting' | 'ended' | 'error';

/**
 * What the page shows for a session: `streaming` only once the gateway
 * streams AND the peer connection is up, so "streaming" means video and input
 * work; `reconnecting` while a dropped connection is being resumed.
 */
export function pageStateOf(state: SessionState, connected: boolean, reconnecting = false): PageState {
  if (reconnecting && state !== 'ended') return 'reconnecting';
  if (state === 'streaming') return connected ? 'streaming' : 'starting';
  return state;
}

const texts: Readonly<Record<PageState, string>> = {
  connecting: 'Connecting…',
  placing: 'Finding a server near you…',
  starting: 'Starting the game…',
  streaming: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Session ended',
  error: 'Could not start',
};

/** The status line's text. */
export function statusText(state: PageState, detail?: string): string {
  return detail ? `${texts[state]} — ${detail}` : texts[state];
}

const reasonTexts: Readonly<Record<string, string>> = {
  player_left: 'you left',
  agent_lost: 'the game server went away',
  runtime_exited: 'the game exited',
  encoder_failed: 'the video encoder failed',
  media_failed: 'the video connection failed',
  terminated: 'ended by the service',
  start_failed: 'the game could not start',
  gateway_shutdown: 'the service is restarting',
  agent_shutdown: 'the game server is shutting down',
  connection_lost: 'the connection was lost',
};

/** A short human reason for an end reason; unknown reasons are shown as they are. */
export function reasonText(reason: string): string {
  return reasonTexts[reason] ?? reason.replaceAll('_', ' ');
}

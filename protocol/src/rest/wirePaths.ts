import { PROBE_PATH } from '../placement/measureProbes.js';

// Plain strings only, no schema: a browser page imports these without pulling the REST schemas into its bundle.

/**
 * Every WebSocket endpoint on the gateway's listener. With the REST route
 * table and static files, these are all the paths the gateway answers.
 */
export const socketPaths = {
  /** Edge agents register and carry their sessions' signaling here. */
  agent: '/ws/agent',
  /** Players join a session with their token here. */
  player: '/ws/player',
  /** The gateway's latency probe echo (agents and players measure RTT to it). */
  probe: PROBE_PATH,
} as const;

export type SocketPath = (typeof socketPaths)[keyof typeof socketPaths];

/** Path of the demo-mode route (`createDemoSession` in the route table), which the web player calls. */
export const DEMO_SESSION_PATH = '/v1/demo/session';

import * as v from 'valibot';
import { ResourceId } from './common.js';

/** What `POST /v1/demo/session` returns: everything a player's `connect()` needs. */
export const DemoSession = v.object({
  sessionId: ResourceId,
  /** The player token of the new session. */
  token: v.pipe(v.string(), v.minLength(1)),
  /** Where the player's signaling socket is, as the caller reached the gateway. */
  signalingUrl: v.pipe(v.string(), v.url()),
});
export type DemoSession = v.InferOutput<typeof DemoSession>;

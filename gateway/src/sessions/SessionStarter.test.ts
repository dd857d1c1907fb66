import { encodeSrtpKeying, FramewayError, type MessageType, type PayloadOf } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import type { AgentApi } from '../agents/AgentApi.js';
import type { SessionRoute } from '../media/MediaRouter.js';
import { sessionSpec } from '../testing/sessionSpec.js';
import { Session } from './Session.js';
import { SessionStartError, SessionStarter } from './SessionStarter.js';

type SessionStart = PayloadOf<typeof MessageType.SessionStart>;

/** A placed session on node-a with a route that has an ingest address. */
function placedSession(): Session {
  const session = new Session(sessionSpec(), 7, 0);
  session.assignNode('node-a');
  session.route = {
    ingest: { host: '127.0.0.1', port: 40_000, payloadType: 96, ssrc: 1, srtp: encodeSrtpKeying(new Uint8Array(30)) },
    close: () => {},
  } as unknown as SessionRoute;
  return session;
}

/** An agent api that records starts and stops; `onStart` decides the reply. */
function fakeAgent(onStart: (start: SessionStart) => Promise<void> = async () => {}) {
  const starts: SessionStart[] = [];
  const stops: string[] = [];
  const api = {
    startSession: async (start: SessionStart) => {
      starts.push(start);
      await onStart(start);
      return { sessionId: start.sessionId, encoder: { codec: 'h264', name: 'libx264', hardware: false } };
    },
    stopSession: async (sessionId: string) => {
      stops.push(sessionId);
    },
  } as unknown as AgentApi;
  return { api, starts, stops };
}

describe('SessionStarter', () => {
  it('starts the session on its node with its channel and ingest and records the encoder', async () => {
    const agent = fakeAgent();
    const session = placedSession();
    await new SessionStarter({ agentFor: () => agent.api, mediaControlOf: () => undefined }).start(session);
    expect(agent.starts).toMatchObject([{ sessionId: 's1', channel: 7, runtime: 'scene', rtp: { port: 40_000 } }]);
    expect(session.encoder).toEqual({ codec: 'h264', name: 'libx264', hardware: false });
  });

  it('ends a session whose node has no live link with agent_lost, by its typed reason', async () => {
    const session = placedSession();
    const starter = new SessionStarter({ agentFor: () => undefined, mediaControlOf: () => undefined });
    const error = await starter.start(session).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStartError);
    expect(error).toMatchObject({ reason: 'no_live_link', code: 'FW_ERR_AGENT_UNAVAILABLE' });
    await starter.startOrEnd(session);
    expect(session.endInfo).toMatchObject({ reason: 'agent_lost', code: 'FW_ERR_AGENT_UNAVAILABLE' });
  });

  it('ends a session the agent refuses with start_failed and the agent’s code', async () => {
    const agent = fakeAgent(async () => {
      throw new FramewayError('FW_ERR_RUNTIME_FAILED', 'the runtime would not start');
    });
    const session = placedSession();
    await new SessionStarter({ agentFor: () => agent.api, mediaControlOf: () => undefined }).startOrEnd(session);
    expect(session.endInfo).toEqual({
      reason: 'start_failed',
      code: 'FW_ERR_RUNTIME_FAILED',
      message: 'the runtime would not start',
    });
  });

  it('stops a start the session moved away from and rejects with the typed reason moved', async () => {
    const session = placedSession();
    const agent = fakeAgent(async () => session.assignNode('node-b'));
    const starter = new SessionStarter({ agentFor: () => agent.api, mediaControlOf: () => undefined });
    await expect(starter.start(session)).rejects.toMatchObject({ reason: 'moved', code: 'FW_ERR_INVALID_STATE' });
    expect(agent.stops).toEqual(['s1']);
    expect(session.encoder).toBeUndefined();
  });
});

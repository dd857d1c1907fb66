import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeInputEvents,
  encodePlayoutDelay,
  FramewayError,
  InputEventType,
  MessageType,
  PLAYOUT_DELAY_EXTENSION_URI,
} from '@frameway/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadGatewayConfig } from './config.js';
import { Gateway } from './Gateway.js';
import { findExtensionId } from './media/werift/WeriftPlayerPeer.js';
import { uwsLoadError } from './server/createSocketServer.js';
import { FakeAgent } from './testing/FakeAgent.js';
import { FakePlayer } from './testing/FakePlayer.js';

const AGENT_SECRET = 'test-agent-secret';
const webRoot = mkdtempSync(join(tmpdir(), 'fw-web-'));
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>player</title>');

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const uwsProblem = uwsLoadError();
const engines = ['node', 'uws'] as const;

for (const engine of engines) {
  const skip = engine === 'uws' && uwsProblem !== undefined;
  if (skip) console.warn(`[skip] gateway conformance on uWebSockets.js: ${uwsProblem}`);

  describe.skipIf(skip)(`gateway (${engine} engine)`, () => {
    let gateway: Gateway;
    const cleanups: (() => unknown)[] = [];

    beforeEach(async () => {
      gateway = new Gateway(
        loadGatewayConfig({
          port: 0,
          demo: true,
          agentSecret: AGENT_SECRET,
          webRoot,
          server: { engine },
          registry: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400, registerTimeoutMs: 500 },
          session: { playerReconnectGraceMs: 300, startTimeoutMs: 2000, playerJoinTimeoutMs: 1000 },
        }),
      );
      await gateway.start();
    });

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      await gateway.close();
    });

    const wsUrl = (path: string) => `ws://127.0.0.1:${gateway.port}${path}`;

    async function agent(options: Partial<ConstructorParameters<typeof FakeAgent>[0]> = {}) {
      const fake = new FakeAgent({ url: wsUrl('/ws/agent'), secret: AGENT_SECRET, ...options });
      await fake.connect();
      cleanups.push(() => fake.close());
      return fake;
    }

    async function player() {
      const fake = new FakePlayer(wsUrl('/ws/player'));
      await fake.connect();
      cleanups.push(() => fake.close());
      return fake;
    }

    async function demoToken(): Promise<string> {
      const response = await fetch(`${gateway.url}/v1/demo/session`, { method: 'POST' });
      expect(response.status).toBe(201);
      const body = (await response.json()) as { token: string; signalingUrl: string };
      expect(body.signalingUrl).toBe(wsUrl('/ws/player'));
      return body.token;
    }

    it('serves health, the web player and JSON errors over HTTP', async () => {
      const health = await fetch(`${gateway.url}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', engine, media: 'werift' });
      const page = await fetch(`${gateway.url}/`);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<title>player</title>');
      expect((await fetch(`${gateway.url}/missing.js`)).status).toBe(404);
      expect((await fetch(`${gateway.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    });

    it('streams a session end to end: placement, RTP relay with playout delay 0, input back to the agent', async () => {
      const edge = await agent();
      await edge.register();
      const client = await player();
      const joined = await client.join(await demoToken());
      expect(joined.video).toEqual({ width: 1280, height: 720, fps: 60 });
      await waitFor(() => edge.starts.length === 1, 3000, 'SessionStart');
      const start = edge.starts[0]!;
      expect(start).toMatchObject({
        sessionId: joined.sessionId,
        runtime: 'scene',
        rtp: { host: '127.0.0.1', payloadType: 96 },
      });

      await client.negotiate();
      await waitFor(() => client.rtp.length >= 5, 5000, 'forwarded RTP');
      const packet = client.rtp.at(-1)!;
      expect(packet.header.payloadType).toBe(102); // rewritten to the player's negotiated PT
      const offered = findExtensionId(client.pc!.localDescription!.sdp, 'video', PLAYOUT_DELAY_EXTENSION_URI);
      const answered = findExtensionId(client.pc!.remoteDescription!.sdp, 'video', PLAYOUT_DELAY_EXTENSION_URI);
      expect(offered).toBeDefined();
      expect(answered).toBe(offered);
      const playoutDelay = packet.header.extensions.find((e) => e.id === answered);
      expect(playoutDelay?.payload.toString('hex')).toBe(Buffer.from(encodePlayoutDelay(0, 0)).toString('hex'));
      await waitFor(
        () => client.messagesOf(MessageType.SessionState).some((m) => m.p.state === 'streaming'),
        3000,
        'streaming',
      );

      const key = encodeInputEvents([{ type: InputEventType.KeyDown, usage: 0x04, modifiers: 0 }]);
      client.input!.send(Buffer.from(key));
      await waitFor(() => edge.inputs.length === 1, 3000, 'input at the agent');
      expect(edge.inputs[0]!.channel).toBe(start.channel);
      expect([...edge.inputs[0]!.bytes]).toEqual([...key]);
      expect(edge.keyframeRequests).toContain(joined.sessionId);
    });

    it('drops malformed input, warns the player, and forwards nothing to the agent', async () => {
      const edge = await agent();
      await edge.register();
      const client = await player();
      await client.join(await demoToken());
      await client.negotiate();
      client.input!.send(Buffer.from([0xee, 1, 2]));
      client.input!.send('text is not input');
      const warning = await waitFor(() => client.messagesOf(MessageType.Error)[0], 3000, 'input warning');
      expect(warning.p.code).toBe('FW_ERR_INPUT_UNKNOWN_EVENT');
      client.input!.send(Buffer.from(encodeInputEvents([{ type: InputEventType.KeyUp, usage: 4, modifiers: 0 }])));
      await waitFor(() => edge.inputs.length === 1, 3000, 'valid input after garbage');
      expect(edge.inputs[0]!.bytes[0]).toBe(InputEventType.KeyUp);
    });

    it('tells the player the session ended when the agent dies', async () => {
      const edge = await agent();
      await edge.register();
      const client = await player();
      const joined = await client.join(await demoToken());
      await waitFor(() => edge.starts.length === 1);
      edge.kill();
      const ended = await waitFor(() => client.messagesOf(MessageType.SessionEnded)[0], 3000, 'SessionEnded');
      expect(ended.p).toMatchObject({
        sessionId: joined.sessionId,
        reason: 'agent_lost',
        code: 'FW_ERR_AGENT_UNAVAILABLE',
      });
      expect(await client.closed).toBe(1000);
      expect(gateway.sessions.list()).toHaveLength(0);
    });

    it('ends the session when the agent misses its heartbeats', async () => {
      const edge = await agent();
      await edge.register();
      const client = await player();
      await client.join(await demoToken());
      edge.stopHeartbeats();
      const ended = await waitFor(() => client.messagesOf(MessageType.SessionEnded)[0], 3000, 'SessionEnded');
      expect(ended.p.reason).toBe('agent_lost');
      expect(ended.p.message).toContain('heartbeat');
    });

    it('relays an agent-side crash and a failed start as typed end reasons', async () => {
      const edge = await agent();
      await edge.register();
      const client = await player();
      const joined = await client.join(await demoToken());
      await waitFor(() => edge.starts.length === 1);
      edge.endSession(joined.sessionId);
      const ended = await waitFor(() => client.messagesOf(MessageType.SessionEnded)[0]);
      expect(ended.p).toMatchObject({
        reason: 'runtime_exited',
        code: 'FW_ERR_RUNTIME_FAILED',
        message: 'game crashed',
      });

      const failing = await agent({
        agentId: 'failing-agent',
        failStartWith: new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', 'no ffmpeg'),
      });
      await failing.register();
      edge.close();
      await waitFor(() => gateway.registry.get('fake-agent')?.status !== 'up');
      const second = await player();
      await second.join(await demoToken());
      const failed = await waitFor(() => second.messagesOf(MessageType.SessionEnded)[0]);
      expect(failed.p).toMatchObject({ reason: 'start_failed', code: 'FW_ERR_ENCODER_UNAVAILABLE' });
    });

    it('stops the session on the agent when the player leaves', async () => {
      const edge = await agent();
      await edge.register();
      const client = await player();
      const joined = await client.join(await demoToken());
      await client.channel.request(MessageType.PlayerLeave, {});
      await waitFor(() => edge.stops.includes(joined.sessionId), 3000, 'SessionStop');
      expect(gateway.registry.get('fake-agent')?.reservedSessions).toBe(0);
    });

    it('keeps the session through a short player reconnect, ends it after the grace period', async () => {
      const edge = await agent();
      await edge.register();
      const token = await demoToken();
      const first = await player();
      const joined = await first.join(token);
      await first.close();
      const second = await player();
      await expect(second.join(token)).resolves.toMatchObject({ sessionId: joined.sessionId });
      expect(edge.starts).toHaveLength(1);
      await second.close();
      await waitFor(() => edge.stops.includes(joined.sessionId), 3000, 'stop after grace');
      const late = await player();
      await expect(late.join(token)).rejects.toMatchObject({ code: 'FW_ERR_SESSION_ENDED' });
    });

    it('answers FW_ERR_NO_CAPACITY when no node can take the session', async () => {
      const client = await player();
      await expect(client.join(await demoToken())).rejects.toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
      const edge = await agent();
      await edge.register();
      await (await player()).join(await demoToken());
      await expect((await player()).join(await demoToken())).rejects.toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
    });

    it('rejects bad player tokens and malformed signaling without dropping the socket', async () => {
      const client = await player();
      await expect(client.join('fw1.forged.token')).rejects.toMatchObject({ code: 'FW_ERR_UNAUTHORIZED' });
      client.sendRaw('{not json');
      client.sendRaw(JSON.stringify({ t: 4242, id: 77, p: {} }));
      client.sendRaw(JSON.stringify({ t: MessageType.PlayerOffer, id: 78, p: { sdp: 'v=0' } }));
      const errorCodes = () =>
        client.raw
          .map((text) => JSON.parse(text))
          .filter((m) => m.t === MessageType.Error)
          .map((m) => m.p.code);
      await waitFor(() => errorCodes().length >= 4);
      expect(errorCodes()).toEqual([
        'FW_ERR_UNAUTHORIZED',
        'FW_ERR_BAD_MESSAGE',
        'FW_ERR_UNKNOWN_MESSAGE_TYPE',
        'FW_ERR_UNEXPECTED_MESSAGE',
      ]);
      await expect(client.channel.request(MessageType.Ping, { ts: 1 })).resolves.toEqual({ ts: 1 });
    });

    it('closes a socket that sends an oversized frame', async () => {
      const client = await player();
      client.sendRaw('x'.repeat(70 * 1024));
      expect(await client.closed).toBe(1009);
    });

    it('closes a player socket that never joins', async () => {
      const client = await player();
      expect(await client.closed).toBe(4001);
    });

    it('refuses an agent with the wrong secret and one that never registers', async () => {
      const intruder = await agent({ secret: 'wrong-secret' });
      await expect(intruder.register()).rejects.toMatchObject({ code: 'FW_ERR_UNAUTHORIZED' });
      await waitFor(() => intruder.closedWith !== undefined);
      expect(gateway.registry.list()).toHaveLength(0);
      const silent = new WebSocket(wsUrl('/ws/agent'));
      const code = await new Promise<number>((resolve) => silent.on('close', resolve));
      expect(code).toBe(4001);
    });
  });
}

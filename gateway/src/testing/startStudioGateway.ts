import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StudioApiOverrides } from '../api/StudioApi.js';
import { type GatewayConfigInput, loadGatewayConfig } from '../config.js';
import { Gateway } from '../Gateway.js';
import { FakeAgent, type FakeAgentOptions } from './FakeAgent.js';
import { FakePlayer } from './FakePlayer.js';
import { FakeVerdictSource } from './FakeVerdictSource.js';

export const TEST_AGENT_SECRET = 'test-agent-secret';

export interface StudioTestGateway extends AsyncDisposable {
  gateway: Gateway;
  /** http://127.0.0.1:<port> */
  url: string;
  verdicts: FakeVerdictSource;
  /** Moves the studio clock (billing, key expiry, rate limits) forward. */
  advance(ms: number): void;
  now(): number;
  /** A fresh studio and its all-scopes key. */
  studio(name?: string): { studioId: string; key: string };
  /** fetch against the gateway with an API key; JSON bodies in and out. */
  call(
    method: string,
    path: string,
    options?: { key?: string | undefined; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  /** A registered fake edge agent (closed with the gateway). */
  agent(options?: Partial<FakeAgentOptions>): Promise<FakeAgent>;
  /** A connected fake player (closed with the gateway). */
  player(): Promise<FakePlayer>;
  /** Joins a session with its player token and waits until media flows (state streaming). */
  stream(playerToken: string): Promise<FakePlayer>;
  close(): Promise<void>;
}

/**
 * A real gateway on 127.0.0.1:0 (node engine unless told) with the studio API,
 * an advanceable clock (real time plus an offset), a fake verdict source, and
 * every JSON response checked against its schema.
 */
export async function startStudioGateway(
  options: { config?: Partial<GatewayConfigInput>; overrides?: StudioApiOverrides } = {},
): Promise<StudioTestGateway> {
  const webRoot = mkdtempSync(join(tmpdir(), 'fw-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>player</title>');
  let offset = 0;
  const now = () => Date.now() + offset;
  const verdicts = new FakeVerdictSource();
  const gateway = new Gateway(
    loadGatewayConfig({
      port: 0,
      agentSecret: TEST_AGENT_SECRET,
      webRoot,
      server: { engine: 'node' },
      registry: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 2000, registerTimeoutMs: 1000 },
      session: { playerReconnectGraceMs: 300, startTimeoutMs: 3000, playerJoinTimeoutMs: 2000 },
      ...options.config,
    }),
    { studioApi: { now, verdicts, checkResponses: true, ...options.overrides } },
  );
  await gateway.start();
  const url = gateway.url;
  const wsUrl = url.replace(/^http/, 'ws');
  const cleanups: (() => unknown)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await gateway.close();
  };
  const player = async () => {
    const fake = new FakePlayer(`${wsUrl}/ws/player`);
    await fake.connect();
    cleanups.push(() => fake.close());
    return fake;
  };
  return {
    gateway,
    url,
    verdicts,
    advance: (ms) => {
      offset += ms;
    },
    now,
    studio: (name = 'Test studio') => gateway.studio.createStudio(name),
    async call(method, path, { key, body, headers = {} } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async agent(agentOptions = {}) {
      const fake = new FakeAgent({ url: `${wsUrl}/ws/agent`, secret: TEST_AGENT_SECRET, slots: 4, ...agentOptions });
      await fake.connect();
      await fake.register();
      cleanups.push(() => fake.close());
      return fake;
    },
    player,
    async stream(playerToken) {
      const fake = await player();
      const { sessionId } = await fake.join(playerToken);
      const deadline = Date.now() + 8000;
      while (gateway.sessions.get(sessionId)?.state !== 'streaming') {
        if (Date.now() > deadline) throw new Error(`session ${sessionId} did not start streaming`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return fake;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

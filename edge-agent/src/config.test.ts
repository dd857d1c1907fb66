import { describe, expect, it } from 'vitest';
import { ConfigError } from './ConfigError.js';
import { DEFAULT_GATEWAY_URL, loadConfig } from './config.js';

const minimal = { agentId: 'agent-1', secret: 's3cret' };

function issuesOf(input: unknown): readonly string[] {
  try {
    loadConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('config was accepted');
}

describe('loadConfig', () => {
  it('fills in every default from agentId and secret alone', () => {
    expect(loadConfig(minimal)).toEqual({
      ...minimal,
      gatewayUrl: DEFAULT_GATEWAY_URL,
      slots: 1,
      runtimes: ['scene'],
      requestTimeoutMs: 10_000,
      probeTimeoutMs: 10_000,
      encoderCloseGraceMs: 2_000,
      inProcessEncoder: true,
      reconnect: { initialDelayMs: 500, maxDelayMs: 15_000, jitter: 0.3 },
      fleet: { probe: { enabled: true, port: 0, delayMs: 0 }, challengeWaitMs: 2000 },
    });
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({ ...minimal, reconnect: { maxDelayMs: 1000 } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.reconnect)).toBe(true);
    expect(Object.isFrozen(config.runtimes)).toBe(true);
    expect(config.reconnect).toEqual({ initialDelayMs: 500, maxDelayMs: 1000, jitter: 0.3 });
  });

  it('rejects unknown keys, also nested ones', () => {
    expect(issuesOf({ ...minimal, slot: 2 })[0]).toMatch(/^slot: /);
    expect(issuesOf({ ...minimal, reconnect: { initialDelay: 1 } })[0]).toMatch(/^reconnect\.initialDelay: /);
  });

  it('rejects what the gateway would reject at registration', () => {
    expect(issuesOf({ agentId: 'has space', secret: 's' })[0]).toMatch(/^agentId: /);
    expect(issuesOf({ agentId: 'a', secret: '' })[0]).toMatch(/^secret: /);
    expect(issuesOf({ ...minimal, slots: 0 })[0]).toMatch(/^slots: /);
    expect(issuesOf({ agentId: 'a' })[0]).toMatch(/^secret: /);
  });

  it('rejects a gateway URL that is not ws:// or wss://', () => {
    expect(issuesOf({ ...minimal, gatewayUrl: 'http://gw/ws/agent' })[0]).toMatch(/ws:\/\/ or wss:\/\//);
    expect(loadConfig({ ...minimal, gatewayUrl: 'wss://gw.example/ws/agent' }).gatewayUrl).toBe(
      'wss://gw.example/ws/agent',
    );
  });

  it('rejects runtimes this agent does not implement', () => {
    expect(issuesOf({ ...minimal, runtimes: ['scene', 'quantum'] })[0]).toMatch(/^runtimes\.1: /);
  });

  it('offers x11, docker and android only with the section that says what they may run', () => {
    expect(issuesOf({ ...minimal, runtimes: ['scene', 'x11', 'android'] })).toEqual([
      expect.stringMatching(/^x11: .*--cmd/),
      expect.stringMatching(/^android: .*--adb/),
    ]);
    const config = loadConfig({ ...minimal, runtimes: ['x11'], x11: { commands: ['ltris'] } });
    expect(config.x11).toEqual({ commands: ['ltris'] });
    expect(issuesOf({ ...minimal, x11: { commands: [] } })[0]).toMatch(/^x11\.commands: /);
    expect(issuesOf({ ...minimal, android: { devices: ['no-port'], scrcpyServerPath: '/s.jar' } })[0]).toMatch(
      /^android\.devices\.0: /,
    );
    expect(issuesOf({ ...minimal, docker: { images: ['g:1'], gpus: 0 } })[0]).toMatch(/^docker\.gpus: /);
  });

  it('rejects a backoff cap below its initial delay', () => {
    expect(issuesOf({ ...minimal, reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } })[0]).toMatch(/maxDelayMs/);
  });
});

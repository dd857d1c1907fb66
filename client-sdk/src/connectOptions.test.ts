import { describe, expect, it } from 'vitest';
import { resolveConnectOptions } from './connectOptions.js';
import { silentLogger } from './log/Logger.js';

describe('resolveConnectOptions', () => {
  it('fills in defaults and derives the player socket URL', () => {
    const options = resolveConnectOptions({ gatewayUrl: 'https://gw.example.net', token: 't' });
    expect(options).toMatchObject({
      signalingUrl: 'wss://gw.example.net/ws/player',
      pointerLock: false,
      ignoredKeyCodes: [],
      statsIntervalMs: 1000,
      connectTimeoutMs: 10_000,
      negotiationTimeoutMs: 60_000,
      mediaTimeoutMs: 20_000,
      disconnectGraceMs: 2_000,
      reconnect: true,
      reconnectTimeoutMs: 15_000,
      lowLatency: true,
      videoCodecs: ['H264', 'AV1', 'VP9', 'VP8'],
      touch: 'touch',
      gamepads: true,
      clipboard: true,
    });
    expect(typeof options.logger.info).toBe('function');
  });

  it('keeps given values, and treats undefined as "use the default"', () => {
    const options = resolveConnectOptions({
      gatewayUrl: 'http://gw.test',
      token: 't',
      signalingUrl: 'ws://other.test/ws/player',
      statsIntervalMs: 0,
      connectTimeoutMs: undefined as unknown as number,
      logger: silentLogger,
    });
    expect(options.signalingUrl).toBe('ws://other.test/ws/player');
    expect(options.statsIntervalMs).toBe(0);
    expect(options.connectTimeoutMs).toBe(10_000);
    expect(options.logger).toBe(silentLogger);
  });

  it('rejects unknown keys, so a typo is not silently ignored', () => {
    expect(() =>
      resolveConnectOptions({ gatewayUrl: 'http://gw.test', token: 't', signallingUrl: 'x' } as never),
    ).toThrow(/unknown connect option\(s\): signallingUrl/);
  });

  it('rejects an unknown touch mode or video codec', () => {
    expect(() => resolveConnectOptions({ gatewayUrl: 'http://gw.test', token: 't', touch: 'pen' as never })).toThrow(
      /touch/,
    );
    expect(() =>
      resolveConnectOptions({ gatewayUrl: 'http://gw.test', token: 't', videoCodecs: ['H265' as never] }),
    ).toThrow(/unknown video codec\(s\): H265/);
    expect(() => resolveConnectOptions({ gatewayUrl: 'http://gw.test', token: 't', reconnectTimeoutMs: 0 })).toThrow(
      /reconnectTimeoutMs/,
    );
  });

  it('rejects a missing token, a bad URL and non-positive timeouts', () => {
    expect(() => resolveConnectOptions({ gatewayUrl: 'http://gw.test', token: '' })).toThrow(TypeError);
    expect(() => resolveConnectOptions({ gatewayUrl: 'gw.test', token: 't' })).toThrow(TypeError);
    expect(() => resolveConnectOptions({ gatewayUrl: 'http://gw.test', token: 't', mediaTimeoutMs: 0 })).toThrow(
      /mediaTimeoutMs/,
    );
    expect(() => resolveConnectOptions({ gatewayUrl: 'http://gw.test', token: 't', statsIntervalMs: -1 })).toThrow(
      /statsIntervalMs/,
    );
  });
});

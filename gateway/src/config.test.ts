import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';

describe('gateway config', () => {
  it('fills defaults and freezes the result', () => {
    const config = loadGatewayConfig({ agentSecret: 'long-enough-secret' });
    expect(config.port).toBe(8080);
    expect(config.session.width).toBe(1280);
    expect(config.session.fps).toBe(60);
    expect(config.media.iceServers).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.session)).toBe(true);
  });

  it('rejects unknown keys and bad values, listing each problem', () => {
    expect(() => loadGatewayConfig({ agentSecret: 'long-enough-secret', prot: 1 })).toThrow(/prot/);
    expect(() => loadGatewayConfig({ agentSecret: 'x' })).toThrow(/agentSecret/);
    expect(() => loadGatewayConfig({ agentSecret: 'long-enough-secret', session: { fps: 0 } })).toThrow(/session\.fps/);
    expect(() => loadGatewayConfig({ agentSecret: 'long-enough-secret', media: { stun: [] } })).toThrow(/stun/);
  });

  it('takes the default sessions’ runtime and its options (npm start -- --runtime x11 --cmd ltris)', () => {
    const config = loadGatewayConfig({
      agentSecret: 'long-enough-secret',
      session: { runtime: 'x11', runtimeOptions: { cmd: 'ltris' } },
    });
    expect(config.session).toMatchObject({ runtime: 'x11', runtimeOptions: { cmd: 'ltris' } });
    expect(Object.isFrozen(config.session.runtimeOptions)).toBe(true);
    expect(() =>
      loadGatewayConfig({ agentSecret: 'long-enough-secret', session: { runtimeOptions: { cmd: ['a'] } } }),
    ).toThrow(/runtimeOptions/);
  });
});

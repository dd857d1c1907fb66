import { DEMO_AGENT_SECRET } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './ConfigError.js';
import { loadConfig } from './config.js';
import { defaultAgentId, parseCliArgs } from './parseCliArgs.js';

describe('parseCliArgs', () => {
  it('reads the documented flags', () => {
    const command = parseCliArgs(
      ['--gateway', 'ws://10.0.0.1:8080/ws/agent', '--secret', 'S', '--id', 'agent-1', '--slots', '3'],
      {},
      'box',
    );
    expect(command).toEqual({
      kind: 'run',
      config: { gatewayUrl: 'ws://10.0.0.1:8080/ws/agent', secret: 'S', agentId: 'agent-1', slots: 3 },
    });
    if (command.kind === 'run') expect(loadConfig(command.config).slots).toBe(3);
  });

  it('falls back to the environment, and flags win over it', () => {
    const env = {
      FRAMEWAY_GATEWAY_URL: 'ws://gw/ws/agent',
      FRAMEWAY_AGENT_SECRET: 'from-env',
      FRAMEWAY_AGENT_ID: 'env-agent',
      FRAMEWAY_AGENT_SLOTS: '2',
      FRAMEWAY_REGION: 'eu-west',
    };
    expect(parseCliArgs([], env, 'box')).toEqual({
      kind: 'run',
      config: { gatewayUrl: 'ws://gw/ws/agent', secret: 'from-env', agentId: 'env-agent', slots: 2, region: 'eu-west' },
    });
    const command = parseCliArgs(['--secret', 'flag', '--slots', '4'], env, 'box');
    expect(command).toMatchObject({ config: { secret: 'flag', slots: 4 } });
  });

  it('uses the demo secret only in demo mode', () => {
    expect(parseCliArgs([], { FRAMEWAY_DEMO: '1' }, 'box')).toMatchObject({ config: { secret: DEMO_AGENT_SECRET } });
    expect(() => parseCliArgs([], {}, 'box')).toThrow(ConfigError);
    expect(() => parseCliArgs([], { FRAMEWAY_DEMO: '0' }, 'box')).toThrow(/--secret/);
  });

  it('derives the agent id from the hostname by default', () => {
    expect(parseCliArgs(['--secret', 's'], {}, 'gpu-node-7')).toMatchObject({
      config: { agentId: 'agent-gpu-node-7' },
    });
    expect(defaultAgentId('weird host/name')).toBe('agent-weird-host-name');
    expect(defaultAgentId('x'.repeat(100))).toHaveLength(64);
    // Non-ASCII characters become dashes, leaving an id the agent config accepts.
    expect(loadConfig({ agentId: defaultAgentId('ünïcode hôst'), secret: 's' }).agentId).toBe('agent-n-code-h-st');
  });

  it('rejects unknown flags and non-numeric slots', () => {
    expect(() => parseCliArgs(['--secret', 's', '--slot', '2'], {}, 'box')).toThrow(ConfigError);
    expect(() => parseCliArgs(['--secret', 's', '--slots', 'two'], {}, 'box')).toThrow(/slots/);
  });

  it('turns --runtime and --cmd (what `npm start -- --runtime x11 --cmd ltris` passes) into the x11 config', () => {
    const command = parseCliArgs(
      ['--secret', 's', '--runtime', 'x11', '--cmd', 'ltris', '--cmd', 'xterm -fa Mono'],
      {},
      'box',
    );
    expect(command).toMatchObject({ config: { runtimes: ['x11'], x11: { commands: ['ltris', 'xterm -fa Mono'] } } });
    if (command.kind === 'run') expect(loadConfig(command.config).runtimes).toEqual(['x11']);
    expect(() => parseCliArgs(['--secret', 's', '--runtime', 'vr'], {}, 'box')).toThrow(/runtime: 'vr'/);
  });

  it('reads the docker, android and encoder flags and their environment fallbacks', () => {
    const command = parseCliArgs(
      ['--secret', 's', '--runtime', 'docker', '--runtime', 'android', '--image', 'games/a:1', '--intra-refresh'],
      { FRAMEWAY_ANDROID_DEVICES: '10.0.0.5:5555, 10.0.0.6:5555', FRAMEWAY_SCRCPY_SERVER: '/opt/scrcpy-server' },
      'box',
    );
    expect(command).toMatchObject({
      config: {
        runtimes: ['docker', 'android'],
        docker: { images: ['games/a:1'] },
        android: { devices: ['10.0.0.5:5555', '10.0.0.6:5555'], scrcpyServerPath: '/opt/scrcpy-server' },
        intraRefresh: true,
      },
    });
    expect(command.kind).toBe('run');
    if (command.kind === 'run') {
      expect(loadConfig(command.config)).toMatchObject({
        runtimes: ['docker', 'android'],
        docker: { images: ['games/a:1'] },
        android: { devices: ['10.0.0.5:5555', '10.0.0.6:5555'], scrcpyServerPath: '/opt/scrcpy-server' },
        intraRefresh: true,
      });
    }
  });

  it('recognises --help', () => {
    expect(parseCliArgs(['--help'], {}, 'box')).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h'], {}, 'box')).toEqual({ kind: 'help' });
  });
});

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logging/logger.js';
import { AndroidRuntime } from './android/AndroidRuntime.js';
import { createRuntime, createRuntimeFactory, pickAllowed } from './createRuntime.js';
import { DockerRuntime } from './docker/DockerRuntime.js';
import { SceneRuntime } from './scene/SceneRuntime.js';
import { X11Runtime } from './x11/X11Runtime.js';

const context = (options: Record<string, string | number | boolean> = {}) => ({
  sessionId: 's-1',
  video: { width: 320, height: 240, fps: 30 },
  options,
  logger: createLogger('test'),
});

const config = loadConfig({
  agentId: 'a',
  secret: 's',
  runtimes: ['scene', 'x11', 'docker', 'android'],
  x11: { commands: ['ltris', 'xterm -fa Mono'] },
  docker: { images: ['games/a:1'], socketPath: '/nonexistent/docker.sock' },
  android: { devices: ['127.0.0.1:5555'], scrcpyServerPath: '/opt/scrcpy-server' },
});

describe('createRuntimeFactory', () => {
  it('creates the runtime each kind names', () => {
    const create = createRuntimeFactory(config);
    expect(create('scene', context())).toBeInstanceOf(SceneRuntime);
    expect(create('x11', context())).toBeInstanceOf(X11Runtime);
    expect(create('docker', context())).toBeInstanceOf(DockerRuntime);
    expect(create('android', context())).toBeInstanceOf(AndroidRuntime);
  });

  it('lets a session pick among what the node allows, never add to it', () => {
    const create = createRuntimeFactory(config);
    expect(create('x11', context({ cmd: 'xterm -fa Mono' }))).toBeInstanceOf(X11Runtime);
    expect(() => create('x11', context({ cmd: 'rm -rf /' }))).toThrow(
      expect.objectContaining({ code: 'FW_ERR_FORBIDDEN' }),
    );
    expect(() => create('docker', context({ image: 'evil/miner' }))).toThrow(
      expect.objectContaining({ code: 'FW_ERR_FORBIDDEN' }),
    );
    expect(() => create('android', context({ device: '10.1.1.1:5555' }))).toThrow(
      expect.objectContaining({ code: 'FW_ERR_FORBIDDEN' }),
    );
  });

  it('refuses runtimes the node does not offer, and a second session on a busy phone', async () => {
    const sceneOnly = createRuntimeFactory(loadConfig({ agentId: 'a', secret: 's' }));
    expect(() => sceneOnly('x11', context())).toThrow(expect.objectContaining({ code: 'FW_ERR_UNSUPPORTED_RUNTIME' }));
    const create = createRuntimeFactory(config);
    const phone = create('android', context());
    expect(() => create('android', context())).toThrow(expect.objectContaining({ code: 'FW_ERR_NO_CAPACITY' }));
    await phone.close();
    expect(create('android', context())).toBeInstanceOf(AndroidRuntime);
  });

  it("gives the scene the detail a session asks for, 'low' by default, and rejects any other", () => {
    const create = createRuntimeFactory(config);
    const detailOf = (options: Record<string, string | number | boolean>) =>
      (create('scene', context(options)) as SceneRuntime).detail;
    expect(detailOf({})).toBe('low');
    expect(detailOf({ detail: 'low' })).toBe('low');
    expect(detailOf({ detail: 'high' })).toBe('high');
    expect((createRuntime('scene', context({ detail: 'high' })) as SceneRuntime).detail).toBe('high');
    for (const detail of ['ultra', 'HIGH', '', 1, true]) {
      expect(() => create('scene', context({ detail }))).toThrow(
        expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }),
      );
    }
  });

  it('uses the first allowed value when the session names none, and rejects non-string values', () => {
    expect(pickAllowed('cmd', {}, ['a', 'b'], 'command')).toBe('a');
    expect(() => pickAllowed('cmd', { cmd: 3 }, ['a'], 'command')).toThrow(
      expect.objectContaining({ code: 'FW_ERR_FORBIDDEN' }),
    );
  });
});

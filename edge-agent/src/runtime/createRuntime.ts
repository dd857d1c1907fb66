import { homedir } from 'node:os';
import { join } from 'node:path';
import { FramewayError, type MessageType, type PayloadOf, type RuntimeKind } from '@frameway/protocol';
import Docker from 'dockerode';
import type { AgentConfig } from '../config.js';
import { UinputGamepadInjector } from '../input/UinputGamepadInjector.js';
import type { Logger } from '../logging/logger.js';
import { AdbKeyStore } from './android/AdbKeyStore.js';
import { AndroidRuntime } from './android/AndroidRuntime.js';
import { DevicePool } from './android/DevicePool.js';
import { DockerRuntime } from './docker/DockerRuntime.js';
import type { RuntimeVideo, SessionRuntime } from './SessionRuntime.js';
import { SCENE_DETAILS, type SceneDetail } from './scene/SceneRenderer.js';
import { SceneRuntime } from './scene/SceneRuntime.js';
import { parseCommandLine } from './x11/parseCommandLine.js';
import { X11Runtime } from './x11/X11Runtime.js';

/** Runtimes this build of the agent can run (a node offers those its config enables). */
export const implementedRuntimes = ['scene', 'x11', 'docker', 'android'] as const satisfies readonly RuntimeKind[];

export type RuntimeOptions = NonNullable<PayloadOf<typeof MessageType.SessionStart>['runtimeOptions']>;

export interface RuntimeContext {
  sessionId: string;
  video: RuntimeVideo;
  options: RuntimeOptions;
  logger: Logger;
}

/** Creates the runtime for one session; throws FW_ERR_UNSUPPORTED_RUNTIME for kinds this agent lacks. */
export type RuntimeFactory = (kind: RuntimeKind, context: RuntimeContext) => SessionRuntime;

/** The runtimes that need no node configuration (the built-in scene). */
export const createRuntime: RuntimeFactory = (kind, context) => {
  if (kind === 'scene') {
    return new SceneRuntime({ video: context.video, detail: sceneDetail(context.options), logger: context.logger });
  }
  throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', `runtime '${kind}' is not available on this agent`);
};

/**
 * The runtime factory of an agent: the scene, plus the x11, docker and
 * android runtimes its config enables. What a session may run is the node's
 * decision: `runtimeOptions` can only pick among the commands, images and
 * devices the config lists (FW_ERR_FORBIDDEN otherwise), never add one.
 */
export function createRuntimeFactory(config: AgentConfig): RuntimeFactory {
  let docker: Docker | undefined;
  const phones = new DevicePool(config.android?.devices ?? []);
  const adbKeys = new AdbKeyStore(config.android?.adbKeyPath ?? join(homedir(), '.frameway', 'adbkey.pk8'));
  return (kind, context) => {
    if (!(config.runtimes as readonly string[]).includes(kind)) {
      throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', `runtime '${kind}' is not offered by this agent`);
    }
    switch (kind) {
      case 'scene':
        return createRuntime(kind, context);
      case 'x11': {
        const x11 = config.x11;
        if (!x11) throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', 'this agent has no x11 configuration');
        const cmd = pickAllowed('cmd', context.options, x11.commands, 'x11 command');
        return new X11Runtime({
          sessionId: context.sessionId,
          video: context.video,
          command: parseCommandLine(cmd),
          ...(config.limits ? { limits: config.limits } : {}),
          ...(x11.audio === undefined ? {} : { audio: x11.audio }),
          ...(x11.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: x11.readyTimeoutMs }),
          ...(x11.xvfbPath ? { xvfbPath: x11.xvfbPath } : {}),
          ...(x11.pulseaudioPath ? { pulseaudioPath: x11.pulseaudioPath } : {}),
          // Virtual pads appear on the host, where a local program sees them.
          openGamepads: () => UinputGamepadInjector.open({ logger: context.logger }),
          logger: context.logger,
        });
      }
      case 'docker': {
        const settings = config.docker;
        if (!settings) throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', 'this agent has no docker configuration');
        // One Engine API client for the agent; DOCKER_HOST is honoured when no socket is configured.
        docker ??= new Docker(settings.socketPath ? { socketPath: settings.socketPath } : undefined);
        return new DockerRuntime({
          sessionId: context.sessionId,
          video: context.video,
          docker,
          image: pickAllowed('image', context.options, settings.images, 'docker image'),
          ...(settings.gpus === undefined ? {} : { gpus: settings.gpus }),
          runtime: settings.runtime,
          limits: config.limits,
          ...(config.x11?.audio === undefined ? {} : { audio: config.x11.audio }),
          xvfbPath: config.x11?.xvfbPath,
          pulseaudioPath: config.x11?.pulseaudioPath,
          logger: context.logger,
        });
      }
      case 'android': {
        const settings = config.android;
        if (!settings) throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', 'this agent has no android configuration');
        const wanted = context.options.device;
        const address = phones.acquire(typeof wanted === 'string' ? wanted : undefined);
        const runtime = new AndroidRuntime({
          sessionId: context.sessionId,
          video: context.video,
          address,
          serverJarPath: settings.scrcpyServerPath,
          credentialStore: adbKeys,
          ...(context.options.mode === 'passthrough' ? { mode: 'passthrough' as const } : {}),
          // The phone is free again once its session is over, however it ended.
          onClosed: () => phones.release(address),
          logger: context.logger,
        });
        return runtime;
      }
      default:
        throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', `runtime '${kind}' is not available on this agent`);
    }
  };
}

/**
 * The scene's `runtimeOptions.detail`: 'low' (the default) or 'high' (a
 * textured picture that needs a real game's bitrate); anything else is
 * FW_ERR_INVALID_PAYLOAD. It only changes what the scene draws, so unlike a
 * command or an image it is the session's choice, not the node's.
 */
export function sceneDetail(options: RuntimeOptions): SceneDetail {
  const requested = options.detail;
  if (requested === undefined) return 'low';
  if (typeof requested !== 'string' || !(SCENE_DETAILS as readonly string[]).includes(requested)) {
    throw new FramewayError(
      'FW_ERR_INVALID_PAYLOAD',
      `scene detail ${JSON.stringify(requested).slice(0, 200)} is not one of ${SCENE_DETAILS.join(', ')}`,
    );
  }
  return requested as SceneDetail;
}

/**
 * The value of `runtimeOptions[key]` if the node allows it, else the node's
 * first allowed value when the session names none.
 */
export function pickAllowed(key: string, options: RuntimeOptions, allowed: readonly string[], what: string): string {
  const requested = options[key];
  if (requested === undefined) {
    const first = allowed[0];
    if (first === undefined) throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', `this agent allows no ${what}`);
    return first;
  }
  if (typeof requested !== 'string' || !allowed.includes(requested)) {
    throw new FramewayError(
      'FW_ERR_FORBIDDEN',
      `${what} ${JSON.stringify(requested).slice(0, 200)} is not one this agent allows`,
    );
  }
  return requested;
}

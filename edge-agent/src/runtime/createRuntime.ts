import { FramewayError, type MessageType, type PayloadOf, type RuntimeKind } from '@frameway/protocol';
import type { Logger } from '../logging/logger.js';
import type { RuntimeVideo, SessionRuntime } from './SessionRuntime.js';
import { SceneRuntime } from './scene/SceneRuntime.js';

/** Runtimes this build of the agent can run. */
export const implementedRuntimes = ['scene'] as const satisfies readonly RuntimeKind[];

export interface RuntimeContext {
  sessionId: string;
  video: RuntimeVideo;
  options: NonNullable<PayloadOf<typeof MessageType.SessionStart>['runtimeOptions']>;
  logger: Logger;
}

/** Creates the runtime for one session; throws FW_ERR_UNSUPPORTED_RUNTIME for kinds this agent lacks. */
export type RuntimeFactory = (kind: RuntimeKind, context: RuntimeContext) => SessionRuntime;

export const createRuntime: RuntimeFactory = (kind, context) => {
  switch (kind) {
    case 'scene':
      return new SceneRuntime({ video: context.video, logger: context.logger });
    default:
      throw new FramewayError('FW_ERR_UNSUPPORTED_RUNTIME', `runtime '${kind}' is not available on this agent`);
  }
};

import type * as v from 'valibot';
import { agentMessages } from './features/agent.js';
import { coreMessages } from './features/core.js';
import { fleetMessages } from './features/fleet.js';
import { mediaMessages } from './features/media.js';
import { placementMessages } from './features/placement.js';
import { playerMessages } from './features/player.js';
import { qosMessages } from './features/qos.js';
import type { MessageType } from './messageTypes.js';

export {
  type EncoderInfo,
  type GpuInfo,
  RuntimeKind,
  SessionEndReason,
  SessionStateName,
  VideoCodec,
  type VideoParams,
} from './common.js';
export type { EncoderTarget, StreamQuality } from './features/media.js';
export type { IceServer } from './features/player.js';

/** The payload schema of every message type: the single source of truth, composed from the features. */
export const payloadSchemas = {
  ...coreMessages.schemas,
  ...agentMessages.schemas,
  ...fleetMessages.schemas,
  ...playerMessages.schemas,
  ...placementMessages.schemas,
  ...qosMessages.schemas,
  ...mediaMessages.schemas,
} as const satisfies Record<MessageType, v.GenericSchema>;

export type PayloadOf<T extends MessageType> = v.InferOutput<(typeof payloadSchemas)[T]>;

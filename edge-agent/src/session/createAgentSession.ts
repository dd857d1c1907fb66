import { type EncoderInfo, FramewayError, isFramewayError, type MessageType, type PayloadOf } from '@frameway/protocol';
import { AudioEncoder } from '../audio/AudioEncoder.js';
import { type EncoderName, isEncoderName } from '../encoder/encoderCatalog.js';
import { InProcessVideoEncoder } from '../encoder/InProcessVideoEncoder.js';
import type { SessionVideoEncoder } from '../encoder/SessionVideoEncoder.js';
import { VideoEncoder } from '../encoder/VideoEncoder.js';
import { createLogger } from '../logging/logger.js';
import type { RuntimeFactory } from '../runtime/createRuntime.js';
import type { SessionRuntime } from '../runtime/SessionRuntime.js';
import { AgentSession } from './AgentSession.js';

type SessionStart = PayloadOf<typeof MessageType.SessionStart>;

export interface SessionDependencies {
  ffmpegPath: string;
  /** Probed encoders, preferred first. */
  encoders: readonly EncoderInfo[];
  createRuntime: RuntimeFactory;
  encoderCloseGraceMs: number;
  /** Periodic intra refresh with a forced IDR every GOP. */
  intraRefresh?: boolean;
  /**
   * Encoders that work in-process (node-av, probed at agent start): used for
   * raw-frame capture, where they can force an IDR and follow the bitrate
   * target. Other captures (x11grab, a phone's own H.264) stay on the ffmpeg CLI.
   */
  inProcessEncoders?: ReadonlySet<EncoderName>;
}

/**
 * Builds (does not start) the session a SessionStart asks for: picks the
 * preferred encoder for the codec and creates the runtime. Throws
 * FW_ERR_INVALID_PAYLOAD, FW_ERR_ENCODER_UNAVAILABLE, FW_ERR_UNSUPPORTED_RUNTIME
 * or FW_ERR_RUNTIME_FAILED; nothing is running when it throws.
 */
export function createAgentSession(request: SessionStart, deps: SessionDependencies): AgentSession {
  const { sessionId, video } = request;
  if (video.width % 2 !== 0 || video.height % 2 !== 0) {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `video ${video.width}x${video.height}: yuv420p needs even sizes`);
  }
  const encoder = pickEncoder(deps.encoders, video.codec);
  let runtime: SessionRuntime;
  try {
    runtime = deps.createRuntime(request.runtime, {
      sessionId,
      video: { width: video.width, height: video.height, fps: video.fps },
      options: request.runtimeOptions ?? {},
      logger: createLogger('runtime', { sessionId, runtime: request.runtime }),
    });
  } catch (error) {
    if (isFramewayError(error)) throw error;
    throw new FramewayError('FW_ERR_RUNTIME_FAILED', `cannot create runtime: ${String(error)}`, undefined, {
      cause: error,
    });
  }
  const log = createLogger('encoder', { sessionId });
  return new AgentSession({
    sessionId,
    channel: request.channel,
    runtime,
    rtp: request.rtp,
    audioRtp: request.audioRtp,
    createEncoder: async (capture, openRelay): Promise<SessionVideoEncoder> => {
      if (capture.kind === 'frames' && deps.inProcessEncoders?.has(encoder)) {
        return new InProcessVideoEncoder({ encoder, video, logger: log });
      }
      return new VideoEncoder({
        ffmpegPath: deps.ffmpegPath,
        encoder,
        video,
        rtp: await openRelay(),
        closeGraceMs: deps.encoderCloseGraceMs,
        ...(deps.intraRefresh === undefined ? {} : { intraRefresh: deps.intraRefresh }),
        logger: log,
      });
    },
    // Audio only where the gateway asked for it; the runtime says whether it has any.
    createAudio: request.audioRtp
      ? (relay) =>
          new AudioEncoder({
            ffmpegPath: deps.ffmpegPath,
            rtp: relay,
            closeGraceMs: deps.encoderCloseGraceMs,
            logger: createLogger('audio', { sessionId }),
          })
      : undefined,
    logger: createLogger('session', { sessionId }),
  });
}

function pickEncoder(encoders: readonly EncoderInfo[], codec: SessionStart['video']['codec']): EncoderName {
  // Probed encoders are in order of preference, hardware first.
  const encoder = encoders.find((candidate) => candidate.codec === codec && isEncoderName(candidate.name));
  if (!encoder) throw new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', `no ${codec} encoder on this node`);
  return encoder.name as EncoderName;
}

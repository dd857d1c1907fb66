import { RuntimeKind, VideoCodec } from '@frameway/protocol';
import type { SessionSpec } from '../sessions/Session.js';
import type { TitleSpec } from './Titles.js';

export interface SessionDefaults {
  /** Bitrate at 1280×720, 60 fps; scaled by pixel rate for other shapes. */
  bitrateKbps: number;
}

/** What the studio asked for on top of the title. */
export interface SessionRequestOptions {
  region?: string | undefined;
  maxDurationMinutes?: number | undefined;
}

const REFERENCE_PIXEL_RATE = 1280 * 720 * 60;

/**
 * The runtime part of a SessionSpec for a title: runtime kind and options,
 * video shape, latency budget, regions and maximum length. Runtime options
 * are flat (the agent protocol allows strings, numbers and booleans) and
 * name what the agent picks from its operator's allow-lists: `cmd` (command
 * line), `image`, `package`, `apkUrl`; `env` is a JSON object string.
 */
export function titleToSessionSpec(
  title: TitleSpec,
  request: SessionRequestOptions,
  defaults: SessionDefaults,
): Omit<SessionSpec, 'id' | 'playerId' | 'studioId' | 'titleId'> {
  const { requirements } = title;
  const { width, height } = requirements.resolution;
  const fps = requirements.fps;
  const bitrateKbps = Math.max(
    500,
    Math.min(100_000, Math.round((defaults.bitrateKbps * width * height * fps) / REFERENCE_PIXEL_RATE)),
  );
  const maxMinutes = Math.min(
    request.maxDurationMinutes ?? requirements.maxSessionMinutes,
    requirements.maxSessionMinutes,
  );
  return {
    ...runtimeOf(title),
    video: { width, height, fps, codec: VideoCodec.H264, bitrateKbps, gop: fps },
    latencyBudgetMs: requirements.latencyBudgetMs,
    regions: request.region !== undefined ? [request.region] : [...requirements.regions],
    maxDurationMs: maxMinutes * 60_000,
  };
}

function runtimeOf(title: TitleSpec): Pick<SessionSpec, 'runtime' | 'runtimeOptions'> {
  if (title.kind === 'android_app') {
    const { app } = title;
    return {
      runtime: RuntimeKind.Android,
      runtimeOptions: {
        package: app.package,
        ...(app.apkUrl !== undefined ? { apkUrl: app.apkUrl } : {}),
        ...(app.image !== undefined ? { image: app.image } : {}),
      },
    };
  }
  const { runtime } = title;
  switch (runtime.type) {
    case 'container':
      return {
        runtime: RuntimeKind.Docker,
        runtimeOptions: {
          image: runtime.image,
          ...(runtime.command !== undefined ? { cmd: runtime.command } : {}),
          ...(runtime.env !== undefined ? { env: JSON.stringify(runtime.env) } : {}),
        },
      };
    case 'x11':
      return { runtime: RuntimeKind.X11, runtimeOptions: { cmd: runtime.command } };
    case 'scene':
      return { runtime: RuntimeKind.Scene };
  }
}

import { MessageType, payloadSchemas } from '@frameway/protocol';
import * as v from 'valibot';
import { ConfigError } from './ConfigError.js';
import { AgentFleetConfigSchema } from './fleet/fleetConfig.js';
import { implementedRuntimes } from './runtime/createRuntime.js';

/** Where a locally started gateway listens for agents. */
export const DEFAULT_GATEWAY_URL = 'ws://127.0.0.1:8080/ws/agent';

// The fields that end up in AgentRegister are checked with the wire schema
// itself, so a config that loads is a config the gateway accepts.
const Register = payloadSchemas[MessageType.AgentRegister].entries;

const Millis = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3_600_000));

const ReconnectSchema = v.strictObject({
  /** First retry delay after the socket drops or a connect fails. */
  initialDelayMs: v.optional(Millis, 500),
  /** Cap of the exponential backoff. */
  maxDelayMs: v.optional(Millis, 15_000),
  /** Fraction of each delay that is randomised (0 = none, 1 = full jitter). */
  jitter: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.3),
});

const NonEmpty = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

/** The x11 runtime: which programs sessions may run on this node. */
const X11Schema = v.strictObject({
  /**
   * Command lines (argv split like a shell, no expansion) sessions may run;
   * a session names one in `runtimeOptions.cmd`, or gets the first. The
   * gateway can never make the node run anything else.
   */
  commands: v.pipe(v.array(NonEmpty), v.minLength(1), v.maxLength(64)),
  xvfbPath: v.optional(NonEmpty),
  pulseaudioPath: v.optional(NonEmpty),
  /** Give each session a private PulseAudio null sink and stream it (default true). */
  audio: v.optional(v.boolean()),
  /** How long a session waits for the program's first window before streaming anyway. */
  readyTimeoutMs: v.optional(Millis),
});

/** The docker runtime: game images started through the Docker Engine API. */
const DockerSchema = v.strictObject({
  /** Images sessions may run (`runtimeOptions.image`, or the first). */
  images: v.pipe(v.array(NonEmpty), v.minLength(1), v.maxLength(64)),
  /** Engine socket (default /var/run/docker.sock, or DOCKER_HOST's). */
  socketPath: v.optional(NonEmpty),
  /** GPUs each game container gets: 'all', a count, or 'none' for CPU-only titles. */
  gpus: v.optional(v.union([v.literal('all'), v.literal('none'), v.pipe(v.number(), v.integer(), v.minValue(1))])),
  /** Container runtime to request (e.g. 'nvidia' where the NVIDIA runtime is not the default). */
  runtime: v.optional(NonEmpty),
});

/** The android runtime: phones (redroid containers or devices) reachable by ADB over TCP. */
const AndroidSchema = v.strictObject({
  /** ADB TCP endpoints, host:port; one session per device. */
  devices: v.pipe(
    v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9.:[\]-]{1,255}:\d{1,5}$/, 'host:port'))),
    v.minLength(1),
  ),
  /** The scrcpy server jar (scrcpy-server-v<version>), provided by the operator. */
  scrcpyServerPath: NonEmpty,
  /** Version of that jar; the server refuses any other client version. */
  scrcpyVersion: v.optional(v.picklist(['3.3.3'])),
  /** Key store for ADB authentication (an RSA key is created there on first use). */
  adbKeyPath: v.optional(NonEmpty),
});

/** Resource limits of every session's runtime (see RuntimeLimits for what each runtime applies). */
const LimitsSchema = v.strictObject({
  memoryMiB: v.optional(v.pipe(v.number(), v.integer(), v.minValue(64))),
  cpus: v.optional(v.pipe(v.number(), v.minValue(0.1), v.maxValue(1024))),
  pids: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16))),
  openFiles: v.optional(v.pipe(v.number(), v.integer(), v.minValue(64))),
});

const ConfigSchema = v.strictObject({
  gatewayUrl: v.optional(
    v.pipe(v.string(), v.url('must be a URL'), v.regex(/^wss?:\/\//i, 'must be a ws:// or wss:// URL')),
    DEFAULT_GATEWAY_URL,
  ),
  agentId: Register.agentId,
  secret: Register.secret,
  slots: v.optional(Register.slots, 1),
  region: Register.region,
  /** Runtimes the node offers; the others need their own section (x11, docker, android). */
  runtimes: v.optional(v.pipe(v.array(v.picklist(implementedRuntimes)), v.minLength(1), v.maxLength(8)), () => [
    'scene' as const,
  ]),
  /** Explicit ffmpeg binary; otherwise FFMPEG_BIN, ffmpeg-static, then PATH. */
  ffmpegPath: v.optional(v.pipe(v.string(), v.minLength(1))),
  requestTimeoutMs: v.optional(Millis, 10_000),
  /** Limit of each encoder probe command at startup. */
  probeTimeoutMs: v.optional(Millis, 10_000),
  /** How long ffmpeg gets to exit after SIGTERM before SIGKILL. */
  encoderCloseGraceMs: v.optional(Millis, 2_000),
  reconnect: v.optional(ReconnectSchema, {}),
  /** Node key, location, price, stake and the latency probe endpoint (edge-agent/src/fleet). */
  fleet: v.optional(AgentFleetConfigSchema, {}),
  /** Periodic intra refresh with an IDR forced every GOP (smoother bitrate, self-healing after loss). */
  intraRefresh: v.optional(v.boolean()),
  /**
   * Encode raw-frame captures in-process (FFmpeg libraries through node-av,
   * when it loads): an IDR on request and the bitrate live. false: always the
   * ffmpeg CLI, which can do neither.
   */
  inProcessEncoder: v.optional(v.boolean(), true),
  limits: v.optional(LimitsSchema),
  x11: v.optional(X11Schema),
  docker: v.optional(DockerSchema),
  android: v.optional(AndroidSchema),
});

/** The validated, frozen agent configuration. */
export type AgentConfig = Readonly<Omit<v.InferOutput<typeof ConfigSchema>, 'reconnect' | 'runtimes'>> & {
  readonly reconnect: Readonly<v.InferOutput<typeof ReconnectSchema>>;
  readonly runtimes: readonly (typeof implementedRuntimes)[number][];
};
/** What `loadConfig` accepts: every key but agentId and secret has a default. */
export type AgentConfigInput = v.InferInput<typeof ConfigSchema>;

/**
 * Validates the agent configuration once, applies defaults and freezes it.
 * Unknown keys are an error, so a typo never silently falls back to a default.
 *
 * @example loadConfig({ agentId: 'agent-1', secret: process.env.FRAMEWAY_AGENT_SECRET })
 */
export function loadConfig(input: unknown): AgentConfig {
  const result = v.safeParse(ConfigSchema, input);
  if (!result.success) {
    throw new ConfigError(
      result.issues.map((issue) => {
        const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
        return `${path || '(root)'}: ${issue.message}`;
      }),
    );
  }
  const config = result.output;
  if (config.reconnect.maxDelayMs < config.reconnect.initialDelayMs) {
    throw new ConfigError(['reconnect.maxDelayMs: must not be below reconnect.initialDelayMs']);
  }
  // A runtime the node advertises must be able to start a session.
  const missing = (['x11', 'docker', 'android'] as const).filter(
    (kind) => config.runtimes.includes(kind) && config[kind] === undefined,
  );
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map(
        (kind) => `${kind}: runtimes lists '${kind}' but there is no ${kind} section (${RUNTIME_HINT[kind]})`,
      ),
    );
  }
  return deepFreeze(config);
}

const RUNTIME_HINT = {
  x11: 'the programs it may run: --cmd',
  docker: 'the images it may run: --image',
  android: 'the devices and the scrcpy server: --adb, --scrcpy-server',
} as const;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

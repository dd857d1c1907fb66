import { MessageType, payloadSchemas } from '@frameway/protocol';
import * as v from 'valibot';
import { ConfigError } from './ConfigError.js';
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

const ConfigSchema = v.strictObject({
  gatewayUrl: v.optional(
    v.pipe(v.string(), v.url('must be a URL'), v.regex(/^wss?:\/\//i, 'must be a ws:// or wss:// URL')),
    DEFAULT_GATEWAY_URL,
  ),
  agentId: Register.agentId,
  secret: Register.secret,
  slots: v.optional(Register.slots, 1),
  region: Register.region,
  runtimes: v.optional(v.pipe(v.array(v.picklist(implementedRuntimes)), v.minLength(1), v.maxLength(8)), () => [
    ...implementedRuntimes,
  ]),
  /** Explicit ffmpeg binary; otherwise FFMPEG_BIN, ffmpeg-static, then PATH. */
  ffmpegPath: v.optional(v.pipe(v.string(), v.minLength(1))),
  requestTimeoutMs: v.optional(Millis, 10_000),
  /** Limit of each encoder probe command at startup. */
  probeTimeoutMs: v.optional(Millis, 10_000),
  /** How long ffmpeg gets to exit after SIGTERM before SIGKILL. */
  encoderCloseGraceMs: v.optional(Millis, 2_000),
  reconnect: v.optional(ReconnectSchema, {}),
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
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

import { DefaultVideo, RuntimeKind, VideoCodec } from '@frameway/protocol';
import * as v from 'valibot';
import { StudioApiConfigSchema } from './api/studioApiConfig.js';
import { FleetConfigSchema, PlacementConfigSchema } from './fleet/fleetConfig.js';
import { LedgerConfigSchema } from './ledger/ledgerConfig.js';

const Port = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));
const PositiveMs = v.pipe(v.number(), v.integer(), v.minValue(1));

/** The gateway's configuration: validated once at startup, then frozen. Unknown keys are an error. */
export const GatewayConfigSchema = v.strictObject({
  host: v.optional(v.string(), '127.0.0.1'),
  port: v.optional(Port, 8080),
  /** Origin players reach this gateway at; derived from host/port when absent. */
  publicUrl: v.optional(v.pipe(v.string(), v.url())),
  /** Demo mode: anyone who can reach the gateway may mint a player token at POST /v1/demo/session. */
  demo: v.optional(v.boolean(), false),
  /** Shared secret agents present when they register. */
  agentSecret: v.pipe(v.string(), v.minLength(8, 'agentSecret must be at least 8 characters')),
  /** HMAC key for player tokens (hex or any string of ≥ 32 bytes); random per process when absent. */
  tokenSecret: v.optional(v.pipe(v.string(), v.minLength(32))),
  server: v.optional(v.strictObject({ engine: v.optional(v.picklist(['auto', 'uws', 'node']), 'auto') }), {}),
  media: v.optional(
    v.strictObject({
      backend: v.optional(v.picklist(['werift']), 'werift'),
      /** Address the RTP ingest sockets bind to and agents send to. */
      rtpHost: v.optional(v.string(), '127.0.0.1'),
      /** Extra host candidate addresses (loopback for local play). */
      additionalHostAddresses: v.optional(v.array(v.string()), ['127.0.0.1']),
      /**
       * Addresses the gateway may use for ICE. Absent: loopback only when the
       * gateway listens on loopback (it serves local players), every interface otherwise.
       */
      iceAddresses: v.optional(v.array(v.string())),
      iceServers: v.optional(
        v.array(
          v.strictObject({
            urls: v.union([v.string(), v.array(v.string())]),
            username: v.optional(v.string()),
            credential: v.optional(v.string()),
          }),
        ),
        [],
      ),
      inputRatePerSecond: v.optional(v.pipe(v.number(), v.minValue(10)), 2000),
      disconnectGraceMs: v.optional(PositiveMs, 3000),
      /**
       * Loss repair on both legs: NACK on the ingest, NACK/RTX to the player,
       * keyframes on request. Off only for measuring what it is worth (the
       * network bench's baseline).
       */
      repair: v.optional(v.boolean(), true),
      /** Congestion control: the player's feedback sets the encoder's bitrate and picture size. */
      adaptiveBitrate: v.optional(v.boolean(), true),
      /** Lowest bitrate adaptive bitrate goes to. */
      minBitrateKbps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100)), 300),
      /** Most retransmitted bytes to a player, as a share of the media bitrate (a player NACKing everything). */
      retransmitShare: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(4)), 0.5),
      /**
       * Forward error correction to the player (ULPFEC in RED): `auto` sends it
       * while the player's reports show sustained loss, `on` always, `off` never.
       */
      fec: v.optional(v.picklist(['off', 'auto', 'on']), 'auto'),
    }),
    {},
  ),
  session: v.optional(
    v.strictObject({
      runtime: v.optional(v.picklist(Object.values(RuntimeKind)), RuntimeKind.Scene),
      /** Options sent with every default session to its runtime, e.g. { cmd: 'ltris' } for x11. */
      runtimeOptions: v.optional(
        v.record(
          v.pipe(v.string(), v.maxLength(64)),
          v.union([v.pipe(v.string(), v.maxLength(4096)), v.number(), v.boolean()]),
        ),
      ),
      width: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16)), DefaultVideo.width),
      height: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16)), DefaultVideo.height),
      fps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(240)), DefaultVideo.fps),
      codec: v.optional(v.picklist([VideoCodec.H264]), VideoCodec.H264),
      bitrateKbps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100)), DefaultVideo.bitrateKbps),
      gop: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), DefaultVideo.gop),
      /** Default round-trip budget from player to node (a title may set its own). */
      latencyBudgetMs: v.optional(PositiveMs, 30),
      startTimeoutMs: v.optional(PositiveMs, 15_000),
      /** A created session that no player joins within this time ends. */
      unjoinedTimeoutMs: v.optional(PositiveMs, 10 * 60_000),
      playerJoinTimeoutMs: v.optional(PositiveMs, 10_000),
      playerReconnectGraceMs: v.optional(PositiveMs, 5_000),
      tokenTtlSeconds: v.optional(PositiveMs, 3600),
      /** Minimum spacing of keyframe requests to an agent; requests in between are coalesced into one at its end. */
      keyframeRequestIntervalMs: v.optional(PositiveMs, 200),
    }),
    {},
  ),
  registry: v.optional(
    v.strictObject({
      heartbeatIntervalMs: v.optional(PositiveMs, 2000),
      heartbeatTimeoutMs: v.optional(PositiveMs, 6000),
      registerTimeoutMs: v.optional(PositiveMs, 5000),
    }),
    {},
  ),
  /** Embedded SQLite database file (fleet, ledger outbox, studio API); ':memory:' keeps nothing. */
  database: v.optional(v.string(), ':memory:'),
  /** Folder with the web player (client-sdk's dist/web); resolved from the installed package when absent. */
  webRoot: v.optional(v.string()),
  /** Studio REST API v1: keys, titles, sessions, billing, webhooks (gateway/src/api). */
  studioApi: v.optional(StudioApiConfigSchema, {}),
  /** Fleet: node identity, admin API, peer probes, persistence (gateway/src/fleet). */
  fleet: v.optional(FleetConfigSchema, {}),
  /** Latency-aware placement, queue, failover, in-session RTT checks (gateway/src/placement). */
  placement: v.optional(PlacementConfigSchema, {}),
  /** QoS ledger: signed minute reports, Merkle batches, allocation and settlement on chain (gateway/src/ledger). */
  ledger: v.optional(LedgerConfigSchema, {}),
});

export type GatewayConfigInput = v.InferInput<typeof GatewayConfigSchema>;
export type GatewayConfig = Readonly<v.InferOutput<typeof GatewayConfigSchema>>;

/** Validates and freezes a configuration; throws with every problem listed. */
export function loadGatewayConfig(input: unknown): GatewayConfig {
  const result = v.safeParse(GatewayConfigSchema, input);
  if (!result.success) {
    const problems = result.issues.map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.') ?? '(root)';
      return `${path}: ${issue.message}`;
    });
    throw new Error(`invalid gateway configuration:\n  ${problems.join('\n  ')}`);
  }
  return deepFreeze(result.output);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

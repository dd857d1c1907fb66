import * as v from 'valibot';

const Text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

/** The agent's fleet settings: node key, location, price, stake and its latency probe endpoint. */
export const AgentFleetConfigSchema = v.strictObject({
  /**
   * File holding the node's secp256k1 key (created, mode 0600, on first
   * start); 'ephemeral' keeps a fresh key in memory only. Default:
   * .data/node-keys/<agentId>.key under the working directory.
   */
  nodeKeyFile: v.optional(Text(4096)),
  location: v.optional(
    v.strictObject({
      country: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'))),
      city: v.optional(Text(64)),
      lat: v.optional(v.pipe(v.number(), v.minValue(-90), v.maxValue(90))),
      lon: v.optional(v.pipe(v.number(), v.minValue(-180), v.maxValue(180))),
    }),
  ),
  /** Asking price per 15-minute block (settlement token units). */
  pricePerBlock: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1e9))),
  /** Stake the node claims (wei, decimal). */
  stakeWei: v.optional(v.pipe(v.string(), v.regex(/^\d{1,78}$/, 'a decimal integer'))),
  /** Concurrent hardware encoder sessions the GPU allows (consumer NVENC caps them). */
  encoderSessions: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024))),
  probe: v.optional(
    v.strictObject({
      /** Serve the WebSocket echo players and peers measure RTT with (default true). */
      enabled: v.optional(v.boolean(), true),
      /** Address the echo binds to (default: loopback when the gateway is on loopback, else every interface). */
      host: v.optional(Text(255)),
      /** 0 picks a free port. */
      port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)), 0),
      /** URL players and peers dial (default: ws://<host>:<port>/probe, host guessed from the interfaces). */
      publicUrl: v.optional(v.pipe(v.string(), v.regex(/^wss?:\/\/\S+$/i, 'a ws:// or wss:// URL'))),
      /**
       * Extra delay on every echo and every probe this node sends: makes it
       * look that much further away on loopback (tests, demos). 0 in production.
       */
      delayMs: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(5000)), 0),
    }),
    {},
  ),
  /** How long registration waits for the gateway's identity challenge before registering unsigned. */
  challengeWaitMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60_000)), 2000),
});

export type AgentFleetConfig = Readonly<v.InferOutput<typeof AgentFleetConfigSchema>>;

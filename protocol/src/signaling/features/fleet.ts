import * as v from 'valibot';
import { Id, ShortText, Uint } from '../common.js';
import { CoreMessageType } from './core.js';
import type { FeatureMessages } from './FeatureMessages.js';
import { ProbeResult, ProbeTarget } from './placement.js';

/** Fleet (latency-aware placement), 120–149: agent identity challenge, agent↔agent and agent↔gateway latency probes, drain. */
export const FleetMessageType = {
  AgentChallenge: 120,
  FleetProbeRequest: 121,
  FleetProbeResults: 122,
  NodeDrain: 123,
  NodeDrainState: 124,
} as const;

const Hex32 = v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/, 'a 32-byte lower-case hex string with 0x'));
const Address = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex EVM address'));
const Signature = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte hex signature'));

/** Sent by the gateway as soon as an agent socket opens; the agent signs it into its AgentRegister. */
export const AgentChallengePayload = v.object({
  nonce: Hex32,
  /** The gateway's origin; part of the signed text so a signature cannot be replayed at another gateway. */
  gateway: v.pipe(v.string(), v.maxLength(256)),
});

/** The node key's answer to the challenge: EIP-191 personal_sign of `agentChallengeMessage(...)`. */
export const AgentIdentity = v.object({
  address: Address,
  nonce: Hex32,
  signature: Signature,
});

/** Where a node is; coordinates are optional (the gateway learns network position from probes anyway). */
export const NodeLocation = v.object({
  /** ISO 3166-1 alpha-2 country code. */
  country: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'))),
  city: v.optional(v.pipe(v.string(), v.maxLength(64))),
  lat: v.optional(v.pipe(v.number(), v.minValue(-90), v.maxValue(90))),
  lon: v.optional(v.pipe(v.number(), v.minValue(-180), v.maxValue(180))),
});

/**
 * Registration fields the fleet adds to AgentRegister; all optional so an
 * older agent still parses (the gateway decides what it requires).
 */
export const AgentFleetFields = {
  identity: v.optional(AgentIdentity),
  location: v.optional(NodeLocation),
  /** Concurrent hardware encoder sessions the GPU allows (consumer NVENC caps them); absent = no cap. */
  encoderSessions: v.optional(v.pipe(Uint, v.maxValue(1024))),
  /** Asking price per 15-minute block, in the settlement token's whole units. */
  pricePerBlock: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1e9))),
  /** Stake the node claims, in wei (decimal): placement compares it with fleet.minStakeWei; the ledger's allocation checks the real stake on chain. */
  stakeWei: v.optional(v.pipe(v.string(), v.regex(/^\d{1,78}$/, 'a decimal integer'))),
  /** The node's WebSocket echo endpoint for latency probes (players, peers). */
  probeUrl: v.optional(ProbeTarget.entries.url),
} as const;

/** Asks an agent to measure RTT to peers and to the gateway (fills the network coordinates). */
export const FleetProbeRequestPayload = v.object({
  targets: v.pipe(v.array(ProbeTarget), v.minLength(1), v.maxLength(32)),
  samples: v.pipe(Uint, v.minValue(1), v.maxValue(20)),
  timeoutMs: v.pipe(Uint, v.minValue(50), v.maxValue(10_000)),
});

export const FleetProbeResultsPayload = v.object({
  results: v.pipe(v.array(ProbeResult), v.maxLength(32)),
});

/** Operator command relayed by the agent (e.g. SIGUSR2): stop taking new sessions, finish the current ones. */
export const NodeDrainPayload = v.object({
  draining: v.boolean(),
  reason: v.optional(ShortText),
});

/** The gateway tells the agent its drain state changed (e.g. an operator drained it through the admin API). */
export const NodeDrainStatePayload = v.object({
  nodeId: Id,
  draining: v.boolean(),
});

/**
 * The exact text an agent signs (EIP-191) to prove it holds its node key. The
 * agent id and gateway origin are inside, so the signature is good for one
 * connection of one agent at one gateway.
 */
export function agentChallengeMessage(challenge: { nonce: string; gateway: string; agentId: string }): string {
  return `Frameway agent registration\ngateway: ${challenge.gateway}\nagent: ${challenge.agentId}\nnonce: ${challenge.nonce}`;
}

export type AgentIdentity = v.InferOutput<typeof AgentIdentity>;
export type NodeLocation = v.InferOutput<typeof NodeLocation>;

export const fleetMessages = {
  types: FleetMessageType,
  schemas: {
    [FleetMessageType.AgentChallenge]: AgentChallengePayload,
    [FleetMessageType.FleetProbeRequest]: FleetProbeRequestPayload,
    [FleetMessageType.FleetProbeResults]: FleetProbeResultsPayload,
    [FleetMessageType.NodeDrain]: NodeDrainPayload,
    [FleetMessageType.NodeDrainState]: NodeDrainStatePayload,
  },
  replies: {
    [FleetMessageType.FleetProbeRequest]: FleetMessageType.FleetProbeResults,
    [FleetMessageType.NodeDrain]: CoreMessageType.Ack,
  },
  agentToGateway: [FleetMessageType.FleetProbeResults, FleetMessageType.NodeDrain],
  gatewayToAgent: [
    FleetMessageType.AgentChallenge,
    FleetMessageType.FleetProbeRequest,
    FleetMessageType.NodeDrainState,
  ],
  playerToGateway: [],
  gatewayToPlayer: [],
} as const satisfies FeatureMessages;

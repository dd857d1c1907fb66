import { networkInterfaces } from 'node:os';
import {
  type AnyMessage,
  agentChallengeMessage,
  MessageType,
  type PayloadOf,
  PROBE_PATH,
  type SignalingChannel,
  TypedEmitter,
} from '@frameway/protocol';
import type { NodeKey } from '../identity/NodeKey.js';
import { createLogger } from '../logging/logger.js';
import type { AgentFleetConfig } from './fleetConfig.js';
import { ProbeServer } from './ProbeServer.js';
import { probeTargets } from './probeTargets.js';

const log = createLogger('fleet');

type Challenge = PayloadOf<typeof MessageType.AgentChallenge>;
type Register = PayloadOf<typeof MessageType.AgentRegister>;

/** What the fleet adds to the agent's registration. */
export type FleetRegistrationFields = Pick<
  Register,
  'identity' | 'location' | 'pricePerBlock' | 'stakeWei' | 'encoderSessions' | 'probeUrl'
>;

export type FleetMemberEvents = {
  /** The gateway reports this node's drain state changed (an operator drained or lifted it). */
  drainChanged: [draining: boolean];
};

export interface FleetMemberOptions {
  agentId: string;
  gatewayUrl: string;
  config: AgentFleetConfig;
  key: NodeKey;
}

/**
 * The agent's side of the fleet: proves the node key by signing the
 * gateway's challenge, serves the latency probe endpoint, measures peers and
 * the gateway when asked, and relays drain requests.
 */
export class FleetMember extends TypedEmitter<FleetMemberEvents> {
  readonly key: NodeKey;
  readonly #options: FleetMemberOptions;
  readonly #challenges = new WeakMap<SignalingChannel, Challenge>();
  readonly #waiters = new WeakMap<SignalingChannel, (challenge: Challenge) => void>();
  #probe: ProbeServer | undefined;
  #probeUrl: string | undefined;
  #draining = false;

  constructor(options: FleetMemberOptions) {
    super((error, event) => log.error({ err: error, event }, 'fleet listener threw'));
    this.#options = options;
    this.key = options.key;
  }

  /** The URL players and peers probe this node at; undefined when probing is off. */
  get probeUrl(): string | undefined {
    return this.#probeUrl;
  }

  /** Whether the gateway considers this node draining (no new sessions). */
  get draining(): boolean {
    return this.#draining;
  }

  /** Starts the probe endpoint (when enabled). */
  async start(): Promise<void> {
    const probe = this.#options.config.probe;
    if (!probe.enabled || this.#probe) return;
    const host = probe.host ?? (isLoopbackUrl(this.#options.gatewayUrl) ? '127.0.0.1' : '0.0.0.0');
    this.#probe = new ProbeServer({ host, port: probe.port, delayMs: probe.delayMs });
    const port = await this.#probe.listen();
    this.#probeUrl = probe.publicUrl ?? `ws://${formatHost(publicHost(host))}:${port}${PROBE_PATH}`;
  }

  async close(): Promise<void> {
    await this.#probe?.close();
    this.#probe = undefined;
  }

  /** Handles the fleet's messages from the gateway; ignores the rest. */
  handleMessage(message: AnyMessage, channel: SignalingChannel): void {
    switch (message.t) {
      case MessageType.AgentChallenge: {
        const waiter = this.#waiters.get(channel);
        this.#waiters.delete(channel);
        if (waiter) waiter(message.p);
        else this.#challenges.set(channel, message.p);
        return;
      }
      case MessageType.FleetProbeRequest: {
        const request = message;
        probeTargets(request.p.targets, {
          samples: request.p.samples,
          timeoutMs: request.p.timeoutMs,
          sendDelayMs: this.#options.config.probe.delayMs,
        }).then((results) => channel.reply(request, MessageType.FleetProbeResults, { results }));
        return;
      }
      case MessageType.NodeDrainState:
        if (this.#draining !== message.p.draining) {
          this.#draining = message.p.draining;
          log.info({ draining: this.#draining }, this.#draining ? 'node draining' : 'node drain lifted');
          this.emit('drainChanged', this.#draining);
        }
        return;
      default:
        return;
    }
  }

  /**
   * The fleet fields of an AgentRegister on `channel`: the signed challenge
   * (waiting briefly for the gateway to send it; none from an older gateway
   * means an unsigned registration), location, price, stake, probe URL.
   */
  async registrationFields(channel: SignalingChannel): Promise<FleetRegistrationFields> {
    const { config, agentId } = this.#options;
    const fields: FleetRegistrationFields = {
      ...(config.location ? { location: { ...config.location } } : {}),
      ...(config.pricePerBlock === undefined ? {} : { pricePerBlock: config.pricePerBlock }),
      ...(config.stakeWei === undefined ? {} : { stakeWei: config.stakeWei }),
      ...(config.encoderSessions === undefined ? {} : { encoderSessions: config.encoderSessions }),
      ...(this.#probeUrl === undefined ? {} : { probeUrl: this.#probeUrl }),
    };
    const challenge = await this.#challengeOf(channel, config.challengeWaitMs);
    if (!challenge) {
      log.warn('the gateway sent no identity challenge; registering unsigned');
      return fields;
    }
    const signature = await this.key.account.signMessage({
      message: agentChallengeMessage({ nonce: challenge.nonce, gateway: challenge.gateway, agentId }),
    });
    return { ...fields, identity: { address: this.key.address, nonce: challenge.nonce, signature } };
  }

  /** Asks the gateway to drain this node (no new sessions) or lift the drain. */
  async requestDrain(channel: SignalingChannel, draining: boolean, reason?: string): Promise<void> {
    await channel.request(MessageType.NodeDrain, { draining, ...(reason === undefined ? {} : { reason }) });
    this.#draining = draining;
    this.emit('drainChanged', draining);
  }

  #challengeOf(channel: SignalingChannel, waitMs: number): Promise<Challenge | undefined> {
    const ready = this.#challenges.get(channel);
    if (ready) {
      this.#challenges.delete(channel);
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(channel);
        resolve(undefined);
      }, waitMs);
      this.#waiters.set(channel, (challenge) => {
        clearTimeout(timer);
        resolve(challenge);
      });
    });
  }
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || host.startsWith('127.');
  } catch {
    return false;
  }
}

/** The address peers should dial for a server bound to `bound`. */
function publicHost(bound: string): string {
  if (bound !== '0.0.0.0' && bound !== '::') return bound;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

import { randomBytes } from 'node:crypto';
import { type AgentIdentity, agentChallengeMessage, FramewayError } from '@frameway/protocol';
import { type Hex, verifyMessage } from 'viem';

/** The challenge one agent connection must sign. */
export interface AgentChallenge {
  nonce: string;
  gateway: string;
}

/** Where agent id → node key bindings live (the fleet store). */
export interface IdentityBindings {
  boundAddress(agentId: string): string | undefined;
  bindIdentity(agentId: string, address: string): void;
}

export interface AgentIdentityVerifierOptions {
  /** This gateway's name inside the signed text (its public origin). */
  gateway: string;
  bindings: IdentityBindings;
  /** Refuse agents that do not sign (true in production; old agents only sign nothing). */
  requireIdentity: boolean;
  /** How long a challenge may be answered; an agent signs within seconds of connecting. */
  challengeTtlMs?: number;
  now?: () => number;
  randomBytes?: (size: number) => Uint8Array;
}

/** Challenges waiting for an answer at most (the oldest are dropped first). */
const MAX_OPEN_CHALLENGES = 100_000;

/**
 * Node identity: every agent connection gets a fresh 32-byte nonce, the
 * agent signs `agentChallengeMessage(...)` with its node key (EIP-191
 * personal_sign), and the gateway checks the signature with viem's
 * `verifyMessage`. A nonce is good for one registration attempt within
 * `challengeTtlMs`, whatever the connection does with it, so a captured
 * signature cannot be replayed. The first key to prove an agent id owns it
 * (trust on first use); another key is refused for it.
 */
export class AgentIdentityVerifier {
  readonly #options: Required<AgentIdentityVerifierOptions>;
  /** Nonces issued and not yet answered → when they were issued (in issue order). */
  readonly #open = new Map<string, number>();

  constructor(options: AgentIdentityVerifierOptions) {
    this.#options = {
      challengeTtlMs: 60_000,
      now: Date.now,
      randomBytes: (size) => randomBytes(size),
      ...options,
    };
  }

  newChallenge(): AgentChallenge {
    const nonce = `0x${Buffer.from(this.#options.randomBytes(32)).toString('hex')}`;
    const now = this.#options.now();
    // Connections that never registered leave their nonce behind: drop the expired ones (the oldest come first).
    for (const [open, issuedAt] of this.#open) {
      if (now - issuedAt <= this.#options.challengeTtlMs && this.#open.size < MAX_OPEN_CHALLENGES) break;
      this.#open.delete(open);
    }
    this.#open.set(nonce, now);
    return { nonce, gateway: this.#options.gateway };
  }

  /**
   * Checks the identity an agent presented against the challenge its
   * connection was given; resolves with the verified address (lower case),
   * or undefined for an unsigned registration when identity is optional.
   * Rejects with FW_ERR_UNAUTHORIZED.
   */
  async verify(
    challenge: AgentChallenge | undefined,
    agentId: string,
    identity: AgentIdentity | undefined,
  ): Promise<string | undefined> {
    if (!identity) {
      if (this.#options.requireIdentity) {
        throw new FramewayError('FW_ERR_UNAUTHORIZED', 'registration must be signed with the node key');
      }
      return undefined;
    }
    if (!challenge) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'no challenge is open on this connection');
    if (identity.nonce !== challenge.nonce) {
      throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the signature answers another challenge');
    }
    const issuedAt = this.#open.get(challenge.nonce);
    this.#open.delete(challenge.nonce);
    if (issuedAt === undefined) {
      throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the challenge was already answered or never issued here');
    }
    if (this.#options.now() - issuedAt > this.#options.challengeTtlMs) {
      throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the challenge expired');
    }
    const message = agentChallengeMessage({ nonce: challenge.nonce, gateway: challenge.gateway, agentId });
    let valid = false;
    try {
      valid = await verifyMessage({
        address: identity.address as Hex,
        message,
        signature: identity.signature as Hex,
      });
    } catch {
      valid = false;
    }
    if (!valid) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the challenge signature does not match the node key');
    const address = identity.address.toLowerCase();
    const bound = this.#options.bindings.boundAddress(agentId);
    if (bound !== undefined && bound !== address) {
      throw new FramewayError('FW_ERR_UNAUTHORIZED', `agent id ${agentId} belongs to another node key`);
    }
    if (bound === undefined) this.#options.bindings.bindIdentity(agentId, address);
    return address;
  }
}

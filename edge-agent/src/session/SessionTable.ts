import { FramewayError } from '@frameway/protocol';
import type { AgentSession } from './AgentSession.js';

/** The agent's live sessions, by id and by input channel, bounded by the slot count. */
export class SessionTable {
  readonly capacity: number;
  readonly #byId = new Map<string, AgentSession>();
  readonly #byChannel = new Map<number, AgentSession>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#byId.size;
  }

  get hasCapacity(): boolean {
    return this.#byId.size < this.capacity;
  }

  /** Throws FW_ERR_NO_CAPACITY when full, FW_ERR_INVALID_STATE for a duplicate id or channel. */
  add(session: AgentSession): void {
    if (this.#byId.has(session.sessionId)) {
      throw new FramewayError('FW_ERR_INVALID_STATE', `session ${session.sessionId} already runs on this agent`);
    }
    if (this.#byChannel.has(session.channel)) {
      throw new FramewayError('FW_ERR_INVALID_STATE', `input channel ${session.channel} is already in use`);
    }
    if (!this.hasCapacity) {
      throw new FramewayError('FW_ERR_NO_CAPACITY', `all ${this.capacity} slots of this agent are in use`);
    }
    this.#byId.set(session.sessionId, session);
    this.#byChannel.set(session.channel, session);
  }

  /** Removes exactly this session object (a newer session under the same id stays). */
  remove(session: AgentSession): boolean {
    if (this.#byId.get(session.sessionId) !== session) return false;
    this.#byId.delete(session.sessionId);
    if (this.#byChannel.get(session.channel) === session) this.#byChannel.delete(session.channel);
    return true;
  }

  get(sessionId: string): AgentSession | undefined {
    return this.#byId.get(sessionId);
  }

  byChannel(channel: number): AgentSession | undefined {
    return this.#byChannel.get(channel);
  }

  values(): AgentSession[] {
    return [...this.#byId.values()];
  }
}

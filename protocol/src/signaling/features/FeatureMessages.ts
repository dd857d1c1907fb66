import type * as v from 'valibot';

/**
 * One feature's slice of the signaling contract. Each feature owns a range of
 * message type numbers and lists, per link direction, which types may travel;
 * `messageTypes.ts` composes all features into the one table.
 */
export interface FeatureMessages {
  readonly types: Readonly<Record<string, number>>;
  readonly schemas: Readonly<Record<number, v.GenericSchema>>;
  /** Request type -> the type that answers it. */
  readonly replies: Readonly<Record<number, number>>;
  readonly agentToGateway: readonly number[];
  readonly gatewayToAgent: readonly number[];
  readonly playerToGateway: readonly number[];
  readonly gatewayToPlayer: readonly number[];
}

import * as v from 'valibot';

const PositiveMs = v.pipe(v.number(), v.integer(), v.minValue(1));
const Bps = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000));
const Wei = v.pipe(v.string(), v.regex(/^\d{1,40}$/, 'a decimal amount in wei'));
const Address = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address'));
const PrivateKey = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{64}$/, 'a 0x-prefixed 32-byte private key'));

/** Which chain settles: the in-process EVM (default), Sophon, Sophon testnet, or none (records and batches only). */
export const LedgerChainKind = ['embedded', 'sophon', 'sophonTestnet', 'none'] as const;

const ChainSchema = v.pipe(
  v.strictObject({
    kind: v.optional(v.picklist(LedgerChainKind), 'embedded'),
    /** JSON-RPC endpoint; defaults to the chain's public RPC (Sophon only). */
    rpcUrl: v.optional(v.pipe(v.string(), v.url())),
    /** Operator key (allocates, commits, settles). Required on Sophon; the embedded chain makes and keeps its own. */
    privateKey: v.optional(PrivateKey),
    /** The deployed FramewayLedger (Sophon: deploy it first, see docs/qos-ledger.md); embedded: deployed at start. */
    contractAddress: v.optional(Address),
    /** ZKsync general-flow paymaster that pays the operator's fees (Sophon only). */
    paymaster: v.optional(
      v.strictObject({
        address: Address,
        /** Paymaster input; default: the general flow with empty inner input. */
        input: v.optional(v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]*$/))),
      }),
    ),
    /** Seconds after a settlement during which anyone may dispute a minute (the embedded chain deploys with it). */
    challengeWindowSec: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 3600),
    /** Price of a 15-minute block when the node announces none. */
    pricePerBlockWei: v.optional(Wei, '1000000000000000'),
    /** Blocks escrowed per session at allocation (the most it can be billed). */
    escrowBlocks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 8),
    /** Embedded chain only: stake the operator deposits for a node that has none, so demos allocate. */
    embeddedStakeWei: v.optional(Wei, '1000000000000000000'),
    retry: v.optional(
      v.strictObject({
        initialDelayMs: v.optional(PositiveMs, 1_000),
        maxDelayMs: v.optional(PositiveMs, 300_000),
      }),
      {},
    ),
    receiptTimeoutMs: v.optional(PositiveMs, 120_000),
  }),
  v.check(
    (chain) => chain.kind === 'embedded' || chain.kind === 'none' || (!!chain.privateKey && !!chain.contractAddress),
    'a Sophon chain needs privateKey and contractAddress',
  ),
  v.check((chain) => chain.retry.maxDelayMs >= chain.retry.initialDelayMs, 'retry.maxDelayMs < initialDelayMs'),
);

/** The `ledger` block of the gateway configuration. */
export const LedgerConfigSchema = v.strictObject({
  enabled: v.optional(v.boolean(), true),
  /** Report period; one minute in production, shorter in tests. */
  intervalMs: v.optional(v.pipe(PositiveMs, v.minValue(100)), 60_000),
  /** How long after a minute ends its reports may still arrive before it is judged without them. */
  reportGraceMs: v.optional(PositiveMs, 15_000),
  sla: v.optional(
    v.strictObject({
      /** A minute meets the frame-rate SLA at this share of the title's fps. */
      fpsRatio: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.95),
      /** p95 input-to-photon budget, judged when the client measured any input that minute. */
      inputToPhotonBudgetMs: v.optional(PositiveMs, 100),
      /** Share of minutes that must meet the SLA for the session not to breach it. */
      minMetBps: v.optional(Bps, 9500),
      /** Share of the escrow locked from the provider's stake, forfeited on a breach. */
      penaltyBps: v.optional(Bps, 1000),
    }),
    {},
  ),
  batch: v.optional(
    v.strictObject({
      /** A batch is anchored when it holds this many records… */
      maxLeaves: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_536)), 4096),
      /** …or when its oldest record is this old. */
      maxAgeMs: v.optional(PositiveMs, 300_000),
    }),
    {},
  ),
  chain: v.optional(ChainSchema, {}),
});

export type LedgerConfig = Readonly<v.InferOutput<typeof LedgerConfigSchema>>;
export type LedgerChainConfig = LedgerConfig['chain'];

/** The ledger's defaults, validated (for tests and embedding). */
export function ledgerConfig(input: v.InferInput<typeof LedgerConfigSchema> = {}): LedgerConfig {
  return v.parse(LedgerConfigSchema, input);
}

/**
 * The `ledger` block from environment variables (the CLI):
 * FRAMEWAY_LEDGER=off, FRAMEWAY_QOS_INTERVAL_MS, FRAMEWAY_QOS_GRACE_MS,
 * FRAMEWAY_CHAIN (embedded | sophon | sophonTestnet | none), FRAMEWAY_CHAIN_RPC_URL,
 * FRAMEWAY_CHAIN_KEY, FRAMEWAY_LEDGER_CONTRACT, FRAMEWAY_PAYMASTER,
 * FRAMEWAY_CHALLENGE_WINDOW_S, FRAMEWAY_BATCH_MAX_AGE_MS. Unset variables leave the defaults.
 */
export function ledgerConfigFromEnv(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const number = (name: string): number | undefined => (env[name] === undefined ? undefined : Number(env[name]));
  const pick = <T>(entries: Record<string, T | undefined>): Record<string, T> =>
    Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as Record<string, T>;
  const chain = pick<unknown>({
    kind: env.FRAMEWAY_CHAIN,
    rpcUrl: env.FRAMEWAY_CHAIN_RPC_URL,
    privateKey: env.FRAMEWAY_CHAIN_KEY,
    contractAddress: env.FRAMEWAY_LEDGER_CONTRACT,
    paymaster: env.FRAMEWAY_PAYMASTER ? { address: env.FRAMEWAY_PAYMASTER } : undefined,
    challengeWindowSec: number('FRAMEWAY_CHALLENGE_WINDOW_S'),
  });
  return pick<unknown>({
    enabled: env.FRAMEWAY_LEDGER === undefined ? undefined : env.FRAMEWAY_LEDGER !== 'off',
    intervalMs: number('FRAMEWAY_QOS_INTERVAL_MS'),
    reportGraceMs: number('FRAMEWAY_QOS_GRACE_MS'),
    batch: env.FRAMEWAY_BATCH_MAX_AGE_MS === undefined ? undefined : { maxAgeMs: number('FRAMEWAY_BATCH_MAX_AGE_MS') },
    chain: Object.keys(chain).length > 0 ? chain : undefined,
  });
}

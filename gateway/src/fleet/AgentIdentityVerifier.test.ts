import { type AgentIdentity, agentChallengeMessage } from '@frameway/protocol';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { type AgentChallenge, AgentIdentityVerifier, type IdentityBindings } from './AgentIdentityVerifier.js';

function verifier(options: { requireIdentity?: boolean; challengeTtlMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const bound = new Map<string, string>();
  const bindings: IdentityBindings = {
    boundAddress: (agentId) => bound.get(agentId),
    bindIdentity: (agentId, address) => bound.set(agentId, address),
  };
  const v = new AgentIdentityVerifier({
    gateway: 'https://gw.example',
    bindings,
    requireIdentity: options.requireIdentity ?? true,
    now: () => clock.now,
    ...(options.challengeTtlMs === undefined ? {} : { challengeTtlMs: options.challengeTtlMs }),
  });
  return { v, clock, bound };
}

const key = (): PrivateKeyAccount => privateKeyToAccount(generatePrivateKey());

/** What a genuine agent sends: its address, the nonce, and the signature over the challenge text. */
async function sign(
  account: PrivateKeyAccount,
  challenge: AgentChallenge,
  agentId: string,
  signedFields: Partial<AgentChallenge & { agentId: string }> = {},
): Promise<AgentIdentity> {
  const signature = await account.signMessage({
    message: agentChallengeMessage({ ...challenge, agentId, ...signedFields }),
  });
  return { address: account.address, nonce: challenge.nonce, signature };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the registration to be refused');
}

describe('AgentIdentityVerifier', () => {
  it('accepts a registration signed with the node key over its challenge, and binds the agent id to the key', async () => {
    const { v, bound } = verifier();
    const node = key();
    const challenge = v.newChallenge();
    expect(challenge.nonce).toMatch(/^0x[0-9a-f]{64}$/);
    expect(challenge.gateway).toBe('https://gw.example');
    const address = await v.verify(challenge, 'agent-1', await sign(node, challenge, 'agent-1'));
    expect(address).toBe(node.address.toLowerCase());
    expect(bound.get('agent-1')).toBe(node.address.toLowerCase());
    // The same key on a later connection is welcome.
    const next = v.newChallenge();
    await expect(v.verify(next, 'agent-1', await sign(node, next, 'agent-1'))).resolves.toBe(address);
  });

  it('gives every connection its own nonce', () => {
    const { v } = verifier();
    const nonces = new Set(Array.from({ length: 50 }, () => v.newChallenge().nonce));
    expect(nonces.size).toBe(50);
  });

  it('refuses a signature made by another key than the one claimed', async () => {
    const { v, bound } = verifier();
    const claimed = key();
    const challenge = v.newChallenge();
    const identity = { ...(await sign(key(), challenge, 'agent-1')), address: claimed.address };
    expect(await refusal(v.verify(challenge, 'agent-1', identity))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
      message: expect.stringMatching(/does not match/),
    });
    expect(bound.size).toBe(0);
  });

  it('refuses an agent id that another node key proved first', async () => {
    const { v, bound } = verifier();
    const first = v.newChallenge();
    await v.verify(first, 'agent-1', await sign(key(), first, 'agent-1'));
    const owner = bound.get('agent-1');
    const second = v.newChallenge();
    expect(await refusal(v.verify(second, 'agent-1', await sign(key(), second, 'agent-1')))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
      message: expect.stringMatching(/another node key/),
    });
    expect(bound.get('agent-1')).toBe(owner);
  });

  it('refuses a replayed answer: the same one twice, or an old one on a new connection', async () => {
    const { v } = verifier();
    const node = key();
    const challenge = v.newChallenge();
    const identity = await sign(node, challenge, 'agent-1');
    await v.verify(challenge, 'agent-1', identity);
    expect(await refusal(v.verify(challenge, 'agent-1', identity))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
      message: expect.stringMatching(/already answered/),
    });
    const fresh = v.newChallenge();
    expect(await refusal(v.verify(fresh, 'agent-1', identity))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
      message: expect.stringMatching(/another challenge/),
    });
  });

  it('consumes a challenge on a failed attempt too: a signature is never tried twice', async () => {
    const { v } = verifier();
    const node = key();
    const challenge = v.newChallenge();
    const wrong = { ...(await sign(node, challenge, 'agent-1')), address: key().address };
    await refusal(v.verify(challenge, 'agent-1', wrong));
    expect(await refusal(v.verify(challenge, 'agent-1', await sign(node, challenge, 'agent-1')))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
    });
  });

  it('refuses an answer to a challenge that expired', async () => {
    const { v, clock } = verifier({ challengeTtlMs: 30_000 });
    const node = key();
    const onTime = v.newChallenge();
    clock.now += 30_000;
    await expect(v.verify(onTime, 'agent-1', await sign(node, onTime, 'agent-1'))).resolves.toBe(
      node.address.toLowerCase(),
    );
    const late = v.newChallenge();
    clock.now += 30_001;
    expect(await refusal(v.verify(late, 'agent-1', await sign(node, late, 'agent-1')))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
      message: expect.stringMatching(/expired/),
    });
  });

  it('refuses a challenge it never issued', async () => {
    const { v } = verifier();
    const other = verifier().v.newChallenge();
    expect(await refusal(v.verify(other, 'agent-1', await sign(key(), other, 'agent-1')))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
    });
  });

  it('refuses tampered registrations: another agent id, gateway or nonce than signed, or altered signature bytes', async () => {
    const { v, bound } = verifier();
    const node = key();
    const attempts: [string, (c: AgentChallenge) => Promise<AgentIdentity>, string][] = [
      ['agent id', (c) => sign(node, c, 'agent-1', { agentId: 'agent-2' }), 'agent-1'],
      ['gateway', (c) => sign(node, c, 'agent-1', { gateway: 'https://evil.example' }), 'agent-1'],
      ['signed nonce', (c) => sign(node, c, 'agent-1', { nonce: `0x${'1'.repeat(64)}` }), 'agent-1'],
      [
        'signature',
        async (c) => {
          const identity = await sign(node, c, 'agent-1');
          const flipped = identity.signature.slice(-4, -2) === '00' ? '01' : '00';
          return {
            ...identity,
            signature: `${identity.signature.slice(0, -4)}${flipped}${identity.signature.slice(-2)}`,
          };
        },
        'agent-1',
      ],
    ];
    for (const [what, answer, agentId] of attempts) {
      const challenge = v.newChallenge();
      const error = await refusal(v.verify(challenge, agentId, await answer(challenge)));
      expect(error.code, what).toBe('FW_ERR_UNAUTHORIZED');
    }
    const challenge = v.newChallenge();
    const identity = await sign(node, challenge, 'agent-1');
    expect(await refusal(v.verify(challenge, 'agent-1', { ...identity, nonce: `0x${'2'.repeat(64)}` }))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
    });
    expect(bound.size).toBe(0);
  });

  it('requires a signature and an open challenge unless identity is optional', async () => {
    const strict = verifier({ requireIdentity: true }).v;
    expect(await refusal(strict.verify(strict.newChallenge(), 'agent-1', undefined))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
    });
    const lax = verifier({ requireIdentity: false }).v;
    await expect(lax.verify(lax.newChallenge(), 'agent-1', undefined)).resolves.toBeUndefined();
    const challenge = lax.newChallenge();
    const identity = await sign(key(), challenge, 'agent-1');
    expect(await refusal(lax.verify(undefined, 'agent-1', identity))).toMatchObject({
      code: 'FW_ERR_UNAUTHORIZED',
      message: expect.stringMatching(/no challenge/),
    });
  });
});

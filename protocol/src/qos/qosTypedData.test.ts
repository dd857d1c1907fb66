import fc from 'fast-check';
import * as v from 'valibot';
import { concat, encodeAbiParameters, type Hex, keccak256, stringToBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../signaling/envelope.js';
import { MessageType } from '../signaling/messageTypes.js';
import { failureMaskOf, failuresOfMask, MinuteFailure } from './minuteRecordLeaf.js';
import { type AgentMinuteReport, AgentMinuteReportSchema, type ClientMinuteReport } from './qosReports.js';
import {
  agentReportDigest,
  clientReportDigest,
  isSignedBy,
  keyBindingDigest,
  qosDomain,
  recoverSigner,
  signAgentReport,
  signClientReport,
  signKeyBinding,
} from './qosTypedData.js';

const domain = qosDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const agentReport: AgentMinuteReport = {
  sessionId: 'ses_1',
  nodeId: 'node-1',
  minuteIndex: 4,
  windowStart: 1_767_225_840_000,
  windowEnd: 1_767_225_900_000,
  framesIn: 3600,
  framesEncoded: 3598,
  framesDropped: 2,
  encodeTimeUsMean: 3800,
  encodeTimeUsP95: 6100,
  targetBitrateKbps: 8000,
};
const clientReport: ClientMinuteReport = {
  sessionId: 'ses_1',
  minuteIndex: 4,
  windowStart: 1_767_225_840_003,
  windowEnd: 1_767_225_900_003,
  framesReceived: 3597,
  framesDecoded: 3597,
  framesRendered: 3596,
  freezeCount: 0,
  freezeMs: 0,
  rttUsP50: 4000,
  rttUsP95: 9000,
  jitterUsP95: 1500,
  packetsReceived: 40000,
  packetsLost: 3,
  bytesReceived: 60_000_000,
  inputSamples: 12,
  inputToPhotonUsP50: 28000,
  inputToPhotonUsP95: 41000,
};

const str = (text: string): Hex => keccak256(stringToBytes(text));

/** EIP-712 by hand, from the spec: an independent check of the type strings and the encoding. */
function manualAgentDigest(report: AgentMinuteReport): Hex {
  const domainType = str('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)');
  const separator = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [domainType, str(domain.name), str(domain.version), BigInt(domain.chainId), domain.verifyingContract as Hex],
    ),
  );
  const typeHash = str(
    'AgentMinuteReport(string sessionId,string nodeId,uint32 minuteIndex,uint64 windowStart,uint64 windowEnd,uint32 framesIn,uint32 framesEncoded,uint32 framesDropped,uint32 encodeTimeUsMean,uint32 encodeTimeUsP95,uint32 targetBitrateKbps)',
  );
  const structHash = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, ...Array(9).fill({ type: 'uint256' })],
      [
        typeHash,
        str(report.sessionId),
        str(report.nodeId),
        BigInt(report.minuteIndex),
        BigInt(report.windowStart),
        BigInt(report.windowEnd),
        BigInt(report.framesIn),
        BigInt(report.framesEncoded),
        BigInt(report.framesDropped),
        BigInt(report.encodeTimeUsMean),
        BigInt(report.encodeTimeUsP95),
        BigInt(report.targetBitrateKbps),
      ],
    ),
  );
  return keccak256(concat(['0x1901', separator, structHash]));
}

describe('QoS EIP-712 typed data', () => {
  it('hashes an agent report exactly as EIP-712 specifies', () => {
    expect(agentReportDigest(domain, agentReport)).toBe(manualAgentDigest(agentReport));
  });

  it('recovers the signer of agent and client reports and of a key binding', async () => {
    const node = privateKeyToAccount(generatePrivateKey());
    const player = privateKeyToAccount(generatePrivateKey());
    const agentSig = await signAgentReport(node, domain, agentReport);
    const clientSig = await signClientReport(player, domain, clientReport);
    const bindingSig = await signKeyBinding(player, 'ses_1');
    expect(await recoverSigner(agentReportDigest(domain, agentReport), agentSig)).toBe(node.address);
    expect(await isSignedBy(clientReportDigest(domain, clientReport), clientSig, player.address)).toBe(true);
    expect(await isSignedBy(keyBindingDigest('ses_1', player.address), bindingSig, player.address)).toBe(true);
    expect(await isSignedBy(keyBindingDigest('ses_2', player.address), bindingSig, player.address)).toBe(false);
  });

  it('changes the digest when any field, or the domain, changes', async () => {
    const node = privateKeyToAccount(generatePrivateKey());
    const signature = await signAgentReport(node, domain, agentReport);
    const numeric = Object.keys(agentReport).filter(
      (k) => typeof agentReport[k as keyof AgentMinuteReport] === 'number',
    );
    fc.assert(
      fc.property(fc.constantFrom(...numeric), fc.integer({ min: 1, max: 1000 }), (field, delta) => {
        const tampered = { ...agentReport, [field]: (agentReport[field as keyof AgentMinuteReport] as number) + delta };
        expect(agentReportDigest(domain, tampered)).not.toBe(agentReportDigest(domain, agentReport));
      }),
      { numRuns: 40 },
    );
    const otherChain = qosDomain(50104, domain.verifyingContract as Hex);
    expect(await isSignedBy(agentReportDigest(otherChain, agentReport), signature, node.address)).toBe(false);
  });

  it('returns no signer for a signature that is not a curve point', async () => {
    expect(await recoverSigner(agentReportDigest(domain, agentReport), `0x${'ff'.repeat(65)}`)).toBeUndefined();
  });

  it('rejects reports with out-of-range or fractional counters', () => {
    expect(v.safeParse(AgentMinuteReportSchema, { ...agentReport, framesIn: -1 }).success).toBe(false);
    expect(v.safeParse(AgentMinuteReportSchema, { ...agentReport, framesIn: 2 ** 32 }).success).toBe(false);
    expect(v.safeParse(AgentMinuteReportSchema, { ...agentReport, minuteIndex: 1.5 }).success).toBe(false);
    expect(v.safeParse(AgentMinuteReportSchema, agentReport).success).toBe(true);
  });

  it('travels as signaling messages and is validated on receipt', async () => {
    const node = privateKeyToAccount(generatePrivateKey());
    const signed = { report: agentReport, signature: await signAgentReport(node, domain, agentReport) };
    const decoded = decodeMessage(encodeMessage(MessageType.QosAgentReport, signed, 5));
    expect(decoded).toEqual({ t: MessageType.QosAgentReport, id: 5, p: signed });
    const broken = JSON.stringify({ t: MessageType.QosAgentReport, id: 6, p: { ...signed, signature: '0x12' } });
    expect(() => decodeMessage(broken)).toThrow(expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }));
  });

  it('maps failure names to stable mask bits and back', () => {
    expect(failureMaskOf(['client_report_missing', 'fps_below_target'])).toBe(
      MinuteFailure.client_report_missing | MinuteFailure.fps_below_target,
    );
    expect(failuresOfMask(failureMaskOf(['timing_implausible', 'agent_report_invalid']))).toEqual([
      'agent_report_invalid',
      'timing_implausible',
    ]);
    expect(MinuteFailure.fps_below_target).toBe(1);
    expect(MinuteFailure.timing_implausible).toBe(256);
  });
});

import {
  type Address,
  getAddress,
  type Hex,
  hashTypedData,
  isAddressEqual,
  type LocalAccount,
  recoverAddress,
  type TypedDataDomain,
} from 'viem';
import type { AgentMinuteReport, ClientMinuteReport, QosDomain } from './qosReports.js';

/** Name and version of the EIP-712 domain; chain id and ledger contract come from the gateway (QosStart). */
export const QOS_DOMAIN_NAME = 'Frameway QoS';
export const QOS_DOMAIN_VERSION = '1';

/**
 * The EIP-712 structs. Field order is part of the signature: never reorder,
 * only add a new struct version.
 */
export const qosTypes = {
  AgentMinuteReport: [
    { name: 'sessionId', type: 'string' },
    { name: 'nodeId', type: 'string' },
    { name: 'minuteIndex', type: 'uint32' },
    { name: 'windowStart', type: 'uint64' },
    { name: 'windowEnd', type: 'uint64' },
    { name: 'framesIn', type: 'uint32' },
    { name: 'framesEncoded', type: 'uint32' },
    { name: 'framesDropped', type: 'uint32' },
    { name: 'encodeTimeUsMean', type: 'uint32' },
    { name: 'encodeTimeUsP95', type: 'uint32' },
    { name: 'targetBitrateKbps', type: 'uint32' },
  ],
  ClientMinuteReport: [
    { name: 'sessionId', type: 'string' },
    { name: 'minuteIndex', type: 'uint32' },
    { name: 'windowStart', type: 'uint64' },
    { name: 'windowEnd', type: 'uint64' },
    { name: 'framesReceived', type: 'uint32' },
    { name: 'framesDecoded', type: 'uint32' },
    { name: 'framesRendered', type: 'uint32' },
    { name: 'freezeCount', type: 'uint32' },
    { name: 'freezeMs', type: 'uint32' },
    { name: 'rttUsP50', type: 'uint32' },
    { name: 'rttUsP95', type: 'uint32' },
    { name: 'jitterUsP95', type: 'uint32' },
    { name: 'packetsReceived', type: 'uint32' },
    { name: 'packetsLost', type: 'uint32' },
    { name: 'bytesReceived', type: 'uint32' },
    { name: 'inputSamples', type: 'uint32' },
    { name: 'inputToPhotonUsP50', type: 'uint32' },
    { name: 'inputToPhotonUsP95', type: 'uint32' },
  ],
  /** The player proves it holds the session key it asks the gateway to bind. */
  QosKeyBinding: [
    { name: 'sessionId', type: 'string' },
    { name: 'key', type: 'address' },
  ],
} as const;

/** Anything that signs EIP-712 data locally: a viem `LocalAccount` (node key, session key). */
export type QosSigner = Pick<LocalAccount, 'address' | 'signTypedData'>;

/** The domain as viem wants it. */
export function toTypedDataDomain(domain: QosDomain): TypedDataDomain {
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: getAddress(domain.verifyingContract),
  };
}

/** A domain with Frameway's name and version for a chain and ledger contract. */
export function qosDomain(chainId: number, verifyingContract: Address): QosDomain {
  return { name: QOS_DOMAIN_NAME, version: QOS_DOMAIN_VERSION, chainId, verifyingContract };
}

function agentTypedData(domain: QosDomain, report: AgentMinuteReport) {
  return {
    domain: toTypedDataDomain(domain),
    types: { AgentMinuteReport: qosTypes.AgentMinuteReport },
    primaryType: 'AgentMinuteReport',
    message: { ...report, windowStart: BigInt(report.windowStart), windowEnd: BigInt(report.windowEnd) },
  } as const;
}

function clientTypedData(domain: QosDomain, report: ClientMinuteReport) {
  return {
    domain: toTypedDataDomain(domain),
    types: { ClientMinuteReport: qosTypes.ClientMinuteReport },
    primaryType: 'ClientMinuteReport',
    message: { ...report, windowStart: BigInt(report.windowStart), windowEnd: BigInt(report.windowEnd) },
  } as const;
}

/**
 * The key binding is signed before the player knows the chain (QosStart comes
 * later), so its domain has name and version only; the session id in the
 * message scopes it.
 */
export const QOS_BINDING_DOMAIN: TypedDataDomain = { name: QOS_DOMAIN_NAME, version: QOS_DOMAIN_VERSION };

function bindingTypedData(sessionId: string, key: Address) {
  return {
    domain: QOS_BINDING_DOMAIN,
    types: { QosKeyBinding: qosTypes.QosKeyBinding },
    primaryType: 'QosKeyBinding',
    message: { sessionId, key: getAddress(key) },
  } as const;
}

/** EIP-712 digest of an agent report: what the node key signs and the minute record commits to. */
export function agentReportDigest(domain: QosDomain, report: AgentMinuteReport): Hex {
  return hashTypedData(agentTypedData(domain, report));
}

/** EIP-712 digest of a client report. */
export function clientReportDigest(domain: QosDomain, report: ClientMinuteReport): Hex {
  return hashTypedData(clientTypedData(domain, report));
}

/** EIP-712 digest of a key binding. */
export function keyBindingDigest(sessionId: string, key: Address): Hex {
  return hashTypedData(bindingTypedData(sessionId, key));
}

/** Signs an agent report with the node key. */
export function signAgentReport(signer: QosSigner, domain: QosDomain, report: AgentMinuteReport): Promise<Hex> {
  return signer.signTypedData(agentTypedData(domain, report));
}

/** Signs a client report with the player's session key. */
export function signClientReport(signer: QosSigner, domain: QosDomain, report: ClientMinuteReport): Promise<Hex> {
  return signer.signTypedData(clientTypedData(domain, report));
}

/** The player's proof that it holds `signer`'s key, for this session. */
export function signKeyBinding(signer: QosSigner, sessionId: string): Promise<Hex> {
  return signer.signTypedData(bindingTypedData(sessionId, signer.address));
}

/**
 * The address that signed `digest`, or undefined when the signature is not a
 * valid secp256k1 signature at all.
 */
export async function recoverSigner(digest: Hex, signature: string): Promise<Address | undefined> {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return undefined;
  try {
    return await recoverAddress({ hash: digest, signature: signature as Hex });
  } catch {
    return undefined;
  }
}

/** True when `signature` over `digest` was made by `expected`. */
export async function isSignedBy(digest: Hex, signature: string, expected: Address): Promise<boolean> {
  const signer = await recoverSigner(digest, signature);
  return signer !== undefined && isAddressEqual(signer, expected);
}

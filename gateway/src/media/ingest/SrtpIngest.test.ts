import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { encodeSrtpKeying, type SrtpKeying } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GenericNack,
  PictureLossIndication,
  ProtectionProfileAes128CmHmacSha1_80,
  type RtcpPacket,
  RtcpPacketConverter,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  RtpHeader,
  SrtcpSession,
  SrtpSession,
} from 'werift';
import { SrtpIngest, type SrtpIngestOptions } from './SrtpIngest.js';

const SSRC = 0x1234_5678;
const PT = 96;
const P_SLICE = Buffer.from([0x41, 0x9a, 0x00, 0x11, 0x22]);
const IDR_START = Buffer.from([0x7c, 0x85, 0x88, 0x84]);

/**
 * Plays the edge agent: protects RTP with the session key, sends it to the
 * ingest, and decrypts the SRTCP feedback the ingest sends back.
 */
class TestAgent {
  readonly feedback: RtcpPacket[] = [];
  rtcpFailures = 0;
  readonly #socket: Socket;
  readonly #srtp: SrtpSession;
  readonly #srtcp: SrtcpSession;
  readonly #port: number;

  private constructor(socket: Socket, keyAndSalt: Buffer, port: number) {
    const key = keyAndSalt.subarray(0, 16);
    const salt = keyAndSalt.subarray(16);
    const keys = { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt };
    this.#socket = socket;
    this.#port = port;
    this.#srtp = new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
    this.#srtcp = new SrtcpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
    socket.on('message', (packet) => {
      try {
        this.feedback.push(...RtcpPacketConverter.deSerialize(this.#srtcp.decrypt(packet)));
      } catch {
        this.rtcpFailures++;
      }
    });
  }

  static async open(keyAndSalt: Buffer, ingestPort: number): Promise<TestAgent> {
    const socket = createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new TestAgent(socket, keyAndSalt, ingestPort);
  }

  rtp(seq: number, options: { payload?: Buffer; ts?: number; pt?: number; ssrc?: number } = {}): Buffer {
    const header = new RtpHeader({
      payloadType: options.pt ?? PT,
      sequenceNumber: seq,
      timestamp: options.ts ?? seq * 3000,
      ssrc: options.ssrc ?? SSRC,
      marker: true,
    });
    return this.#srtp.encrypt(options.payload ?? P_SLICE, header);
  }

  senderReport(ntpTimestamp: bigint): Buffer {
    const senderInfo = new RtcpSenderInfo({ ntpTimestamp, rtpTimestamp: 0, packetCount: 1, octetCount: 100 });
    return this.#srtcp.encrypt(new RtcpSrPacket({ ssrc: SSRC, senderInfo }).serialize());
  }

  /** Any bytes, protected as SRTCP from the agent's SSRC. */
  protectRtcp(raw: Buffer): Buffer {
    return this.#srtcp.encrypt(raw);
  }

  send(...packets: Buffer[]): void {
    for (const packet of packets) this.#socket.send(packet, this.#port, '127.0.0.1');
  }

  /** Where this agent sends from, as the ingest names a latched source. */
  get address(): string {
    const { address, port } = this.#socket.address();
    return `${address}:${port}`;
  }

  nackedSeqs(): number[] {
    return this.feedback.flatMap((p) =>
      p instanceof RtcpTransportLayerFeedback && p.feedback instanceof GenericNack ? p.feedback.lost : [],
    );
  }

  receiverReports(): RtcpRrPacket[] {
    return this.feedback.filter((p): p is RtcpRrPacket => p instanceof RtcpRrPacket);
  }

  plis(): PictureLossIndication[] {
    return this.feedback.flatMap((p) =>
      p instanceof RtcpPayloadSpecificFeedback && p.feedback instanceof PictureLossIndication ? [p.feedback] : [],
    );
  }
}

const sockets: Socket[] = [];
const ingests: SrtpIngest[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  for (const i of ingests.splice(0)) i.close();
});

function newKey(): { bytes: Buffer; keying: SrtpKeying } {
  const bytes = randomBytes(30);
  return { bytes, keying: encodeSrtpKeying(bytes) };
}

async function openIngest(keying: SrtpKeying, options: Partial<SrtpIngestOptions> = {}) {
  const received: number[] = [];
  const packets: Buffer[] = [];
  const ingest = await SrtpIngest.open({
    host: '127.0.0.1',
    ssrc: SSRC,
    payloadType: PT,
    keying,
    onPacket: (p) => {
      received.push(p.readUInt16BE(2));
      packets.push(p);
    },
    ...options,
  });
  ingests.push(ingest);
  return { ingest, received, packets };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** Middle 32 bits of the NTP timestamp of a wall-clock time (what LSR echoes). */
function ntpOf(ms: number): bigint {
  const seconds = BigInt(Math.floor(ms / 1000) + 2_208_988_800);
  const fraction = BigInt(Math.floor(((ms % 1000) / 1000) * 2 ** 32));
  return (seconds << 32n) | fraction;
}

describe('SrtpIngest', () => {
  it('decrypts and forwards the stream, dropping wrong SSRC, wrong PT and garbage', async () => {
    const key = newKey();
    const { ingest, received, packets } = await openIngest(key.keying);
    const agent = await TestAgent.open(key.bytes, ingest.port);
    agent.send(agent.rtp(1), agent.rtp(2, { ssrc: 999 }), agent.rtp(3, { pt: 97 }));
    agent.send(Buffer.from('hello world, not rtp'), agent.rtp(4));
    await until(() => received.length === 2);
    await sleep(20);
    expect(received).toEqual([1, 4]);
    expect(packets[0]!.subarray(12)).toEqual(P_SLICE);
    expect(ingest.counters).toMatchObject({ packetsIn: 2, packetsRejected: 3, authFailures: 0 });
    expect(ingest.source).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('counts a forged packet and never latches onto its sender', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying);
    const forger = await TestAgent.open(randomBytes(30), ingest.port);
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const forged = agent.rtp(10);
    forged[forged.length - 1]! ^= 0x01;
    forger.send(forged, forger.rtp(11));
    await until(() => ingest.counters.authFailures === 2);
    expect(ingest.source).toBeUndefined();
    agent.send(agent.rtp(12));
    await until(() => received.length === 1);
    expect(received).toEqual([12]);
    forger.send(forger.rtp(13));
    await sleep(30);
    expect(ingest.counters).toMatchObject({ packetsIn: 1, authFailures: 2, packetsRejected: 1 });
  });

  it('drops a replayed packet', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying);
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const first = agent.rtp(500);
    agent.send(first, agent.rtp(501), first);
    await until(() => ingest.counters.replayed === 1);
    expect(received).toEqual([500, 501]);
  });

  it('NACKs a gap and forwards the retransmission as recovered', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying);
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const packets = [1, 2, 3, 4, 5, 6].map((seq) => agent.rtp(seq));
    agent.send(...packets.filter((_, i) => i !== 2 && i !== 3));
    await until(() => agent.nackedSeqs().length >= 2);
    expect(agent.nackedSeqs().slice(0, 2)).toEqual([3, 4]);
    const nack = agent.feedback.find((p) => p instanceof RtcpTransportLayerFeedback)!;
    expect((nack.feedback as GenericNack).mediaSourceSsrc).toBe(SSRC);
    expect((nack.feedback as GenericNack).senderSsrc).toBe(ingest.feedbackSsrc);
    agent.send(packets[2]!, packets[3]!);
    await until(() => received.length === 6);
    expect(received).toEqual([1, 2, 5, 6, 3, 4]);
    expect(ingest.counters).toMatchObject({ recovered: 2, replayed: 0, lostUnrepaired: 0 });
    expect(ingest.counters.nackedPackets).toBeGreaterThanOrEqual(2);
    expect(ingest.stats().rttMs).toBeGreaterThanOrEqual(0);
    // A second copy of the retransmission is a replay.
    agent.send(packets[2]!);
    await until(() => ingest.counters.replayed === 1);
  });

  it('follows the sequence wrap at 65535 and NACKs across it', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying);
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const packets = [65_534, 65_535, 0, 1, 2].map((seq) => agent.rtp(seq));
    agent.send(packets[0]!, packets[1]!, packets[3]!, packets[4]!);
    await until(() => agent.nackedSeqs().includes(0));
    agent.send(packets[2]!);
    await until(() => received.length === 5);
    expect(received).toEqual([65_534, 65_535, 1, 2, 0]);
    expect(ingest.counters).toMatchObject({ authFailures: 0, recovered: 1 });
  });

  it('keeps decrypting after a loss burst across the wrap (werift alone would lose the roll-over)', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying, { repair: false });
    const agent = await TestAgent.open(key.bytes, ingest.port);
    // The agent encrypts every packet in order; the ones between 65300 and 200 are lost on the way.
    const sent: Buffer[] = [];
    for (let seq = 65_300; seq !== 201; seq = (seq + 1) & 0xffff) sent.push(agent.rtp(seq));
    agent.send(sent[0]!, sent[sent.length - 1]!);
    await until(() => received.length === 2);
    expect(received).toEqual([65_300, 200]);
    expect(ingest.counters.authFailures).toBe(0);
  });

  it('gives up on unanswered NACKs after the limit and emits unrepairable', async () => {
    const key = newKey();
    const { ingest } = await openIngest(key.keying, { nack: { maxNacks: 3, initialRttMs: 10 } });
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const lost: number[] = [];
    ingest.on('unrepairable', ({ lost: n }) => lost.push(n));
    agent.send(agent.rtp(1), agent.rtp(3));
    await until(() => lost.length === 1);
    await sleep(50);
    expect(agent.nackedSeqs()).toEqual([2, 2, 2]);
    expect(lost).toEqual([1]);
    expect(ingest.counters).toMatchObject({ lostUnrepaired: 1, nacksSent: 3, nackedPackets: 3, plisSent: 0 });
  });

  it('asks for a keyframe itself when it gives up and nobody listens', async () => {
    const key = newKey();
    const { ingest } = await openIngest(key.keying, { nack: { maxNacks: 1, initialRttMs: 10 } });
    const agent = await TestAgent.open(key.bytes, ingest.port);
    agent.send(agent.rtp(1), agent.rtp(3));
    await until(() => agent.plis().length === 1);
    expect(ingest.counters).toMatchObject({ lostUnrepaired: 1, plisSent: 1 });
  });

  it('sends a PLI on request, at most one per 20 ms', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying);
    expect(ingest.requestKeyframe()).toBe(false); // nobody latched yet
    const agent = await TestAgent.open(key.bytes, ingest.port);
    agent.send(agent.rtp(1));
    await until(() => received.length === 1);
    expect(ingest.requestKeyframe()).toBe(true);
    expect(ingest.requestKeyframe()).toBe(false);
    await until(() => agent.plis().length === 1);
    expect(agent.plis()[0]).toMatchObject({ senderSsrc: ingest.feedbackSsrc, mediaSsrc: SSRC });
    await sleep(25);
    expect(ingest.requestKeyframe()).toBe(true);
    expect(ingest.counters.plisSent).toBe(2);
  });

  it('emits keyframe once per access unit that starts with an IDR', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying);
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const keyframes: number[] = [];
    ingest.on('keyframe', ({ rtpTimestamp }) => keyframes.push(rtpTimestamp));
    const sps = Buffer.from([0x67, 0x42, 0xc0, 0x1f]);
    const idrMiddle = Buffer.from([0x7c, 0x05, 0x11]);
    agent.send(agent.rtp(1, { payload: sps, ts: 9000 }), agent.rtp(2, { payload: IDR_START, ts: 9000 }));
    agent.send(agent.rtp(3, { payload: idrMiddle, ts: 9000 }), agent.rtp(4, { payload: P_SLICE, ts: 12_000 }));
    agent.send(agent.rtp(5, { payload: IDR_START, ts: 15_000 }));
    await until(() => received.length === 5);
    expect(keyframes).toEqual([9000, 15_000]);
    expect(ingest.counters.keyframes).toBe(2);
  });

  it('reports loss before repair in RRs, and LSR/DLSR that give the agent its RTT once SRs flow', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying, { reportIntervalMs: 150 });
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const seqs = Array.from({ length: 100 }, (_, i) => 1000 + i).filter((seq) => seq % 10 !== 3);
    agent.send(...seqs.map((seq) => agent.rtp(seq)));
    await until(() => agent.receiverReports().length >= 1);
    const [rr] = agent.receiverReports();
    expect(rr!.ssrc).toBe(ingest.feedbackSsrc);
    expect(rr!.reports[0]).toMatchObject({
      ssrc: SSRC,
      fractionLost: Math.floor((10 * 256) / 100),
      packetsLost: 10,
      highestSequence: 1099,
      lsr: 0,
      dlsr: 0,
    });
    expect(received).toHaveLength(90);
    expect(ingest.stats().lossFraction).toBeCloseTo(0.1, 1);

    const srSentAt = Date.now();
    agent.send(agent.senderReport(ntpOf(srSentAt)));
    await until(() => ingest.counters.rtcpIn === 1);
    agent.send(agent.rtp(1100), agent.rtp(1101));
    await until(() => agent.receiverReports().some((r) => r.reports[0]!.lsr !== 0));
    const rrAt = Date.now();
    const report = agent.receiverReports().find((r) => r.reports[0]!.lsr !== 0)!.reports[0]!;
    expect(report.lsr).toBe(Number((ntpOf(srSentAt) >> 16n) & 0xffff_ffffn));
    expect(report.fractionLost).toBe(0);
    // RFC 3550 6.4.1: RTT = arrival − LSR − DLSR, in 1/65536 s.
    const arrival = Number((ntpOf(rrAt) >> 16n) & 0xffff_ffffn);
    const rttMs = ((arrival - report.lsr - report.dlsr) / 65_536) * 1000;
    expect(report.dlsr).toBeGreaterThan(0);
    expect(rttMs).toBeGreaterThan(-2);
    expect(rttMs).toBeLessThan(100);
    expect(ingest.counters.rrSent).toBeGreaterThanOrEqual(2);
  });

  it('relatches to a new agent with a new key: the old one is refused, the new stream continues', async () => {
    const oldKey = newKey();
    const { ingest, received, packets } = await openIngest(oldKey.keying);
    const oldAgent = await TestAgent.open(oldKey.bytes, ingest.port);
    oldAgent.send(...[100, 101, 102].map((seq) => oldAgent.rtp(seq)));
    await until(() => received.length === 3);

    const newKeyPair = newKey();
    ingest.relatch(newKeyPair.keying);
    oldAgent.send(oldAgent.rtp(103));
    const oldKeyElsewhere = await TestAgent.open(oldKey.bytes, ingest.port);
    oldKeyElsewhere.send(oldKeyElsewhere.rtp(104));
    await until(() => ingest.counters.authFailures === 1 && ingest.counters.packetsRejected === 1);
    expect(ingest.source).toBeUndefined();

    const newAgent = await TestAgent.open(newKeyPair.bytes, ingest.port);
    newAgent.send(newAgent.rtp(40_000, { ts: 7 }), newAgent.rtp(40_001, { ts: 3007 }));
    await until(() => received.length === 5);
    expect(received).toEqual([100, 101, 102, 103, 104]);
    expect(packets[4]!.readUInt32BE(4) - packets[3]!.readUInt32BE(4)).toBe(3000);
    expect(packets[3]!.readUInt32BE(4)).toBeGreaterThan(102 * 3000);
    expect(ingest.counters).toMatchObject({ relatches: 1, nacksSent: 0 });
    oldAgent.send(oldAgent.rtp(105));
    await until(() => ingest.counters.packetsRejected === 2);
    const latched = ingest.source;
    expect(() => ingest.relatch({ profile: 'AES_CM_128_HMAC_SHA1_80', masterKey: 'short' })).toThrow(
      expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }),
    );
    // A bad key changes nothing: still latched to the new agent.
    expect(ingest.source).toBe(latched);
    expect(ingest.counters.relatches).toBe(1);
  });

  it('counts malformed RTCP, forged RTCP, replayed SRTCP and garbage without throwing', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying);
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const lyingLength = Buffer.alloc(12);
    lyingLength.writeUInt32BE(0x80c8_0032, 0); // SR claiming 51 words
    lyingLength.writeUInt32BE(SSRC, 4);
    const shortSr = Buffer.alloc(8);
    shortSr.writeUInt32BE(0x80c8_0001, 0);
    shortSr.writeUInt32BE(SSRC, 4);
    const sr = agent.senderReport(ntpOf(Date.now()));
    const forgedSr = Buffer.from(sr);
    forgedSr[forgedSr.length - 3]! ^= 0xff;
    const randomRtcp = randomBytes(40);
    randomRtcp[0] = 0x80;
    randomRtcp[1] = 201;
    const randomRtp = randomBytes(60);
    randomRtp[0] = 0x80;
    randomRtp[1] = PT;
    randomRtp.writeUInt32BE(SSRC, 8);
    agent.send(agent.protectRtcp(lyingLength), agent.protectRtcp(shortSr), forgedSr, randomRtcp, sr, sr);
    agent.send(randomRtp, Buffer.alloc(3), Buffer.alloc(2000, 0x80), Buffer.from([0x80, 200, 0, 0]));
    await until(() => ingest.counters.rtcpIn === 6 && ingest.counters.packetsRejected === 3);
    await sleep(20);
    expect(ingest.counters).toMatchObject({ rtcpAuthFailures: 2, rtcpDropped: 3, authFailures: 1 });
    agent.send(agent.rtp(7));
    await until(() => received.length === 1);
    expect(ingest.source).toBe(agent.address);
  });

  it('sends no NACK and no PLI with repair off, nor for audio, but still reports', async () => {
    const key = newKey();
    const { ingest, received } = await openIngest(key.keying, { repair: false, reportIntervalMs: 50 });
    const audio = await openIngest(key.keying, { video: false, clockRate: 48_000, reportIntervalMs: 50 });
    const agent = await TestAgent.open(key.bytes, ingest.port);
    const audioAgent = await TestAgent.open(key.bytes, audio.ingest.port);
    agent.send(agent.rtp(1), agent.rtp(4), agent.rtp(5, { payload: IDR_START }));
    audioAgent.send(audioAgent.rtp(1), audioAgent.rtp(4, { payload: IDR_START }));
    await until(() => agent.receiverReports().length >= 1 && audioAgent.receiverReports().length >= 1);
    expect(received).toEqual([1, 4, 5]);
    expect(ingest.requestKeyframe()).toBe(false);
    expect(audio.ingest.requestKeyframe()).toBe(false);
    expect(agent.nackedSeqs()).toEqual([]);
    expect(audioAgent.nackedSeqs()).toEqual([]);
    expect(agent.receiverReports()[0]!.reports[0]!.packetsLost).toBe(2);
    expect(ingest.counters).toMatchObject({ nacksSent: 0, plisSent: 0, keyframes: 1 });
    expect(audio.ingest.counters).toMatchObject({ nacksSent: 0, keyframes: 0 });
  });

  it('rejects bad keying with a typed error and closes idempotently', async () => {
    await expect(
      SrtpIngest.open({
        host: '127.0.0.1',
        ssrc: SSRC,
        payloadType: PT,
        keying: { profile: 'AES_CM_128_HMAC_SHA1_80', masterKey: '!!!' },
        onPacket: () => {},
      }),
    ).rejects.toMatchObject({ code: 'FW_ERR_INVALID_PAYLOAD' });
    const { ingest } = await openIngest(newKey().keying);
    ingest.close();
    ingest.close();
    expect(ingest.requestKeyframe()).toBe(false);
  });
});

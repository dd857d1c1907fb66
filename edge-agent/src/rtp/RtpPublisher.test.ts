import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { decodeSrtpKeying, encodeSrtpKeying, FramewayError } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GenericNack,
  PictureLossIndication,
  ProtectionProfileAes128CmHmacSha1_80,
  RtcpPacketConverter,
  RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSrPacket,
  RtpPacket,
  SrtcpSession,
  SrtpSession,
} from 'werift';
import type { RtpTarget } from '../encoder/buildEncoderArgs.js';
import { compactNtp, ntpTimestamp } from './buildSenderReport.js';
import { RtpPublisher, type RtpPublisherOptions } from './RtpPublisher.js';

const PUBLISHER_SSRC = 0x1234_5678;
const GATEWAY_SSRC = 0x0abc_def0;
const PT = 102;

/** One received SRTP packet, decrypted. */
interface Received {
  wire: Buffer;
  packet: RtpPacket;
}

/**
 * The gateway's side of the ingest leg, from werift's SRTP sessions: decrypts
 * what the publisher sends (with RFC 3711 index estimation of its own, not the
 * publisher's) and sends SRTCP feedback back from the same port.
 */
class GatewayPeer {
  readonly socket: Socket;
  readonly target: RtpTarget;
  readonly rtp: Received[] = [];
  readonly senderReports: RtcpSrPacket[] = [];
  readonly undecryptable: Buffer[] = [];
  readonly #srtp: SrtpSession;
  readonly #srtcp: SrtcpSession;
  #highestIndex = -1;

  private constructor(socket: Socket, masterKey: string) {
    this.socket = socket;
    const { key, salt } = decodeSrtpKeying(masterKey);
    const keys = {
      localMasterKey: Buffer.from(key),
      localMasterSalt: Buffer.from(salt),
      remoteMasterKey: Buffer.from(key),
      remoteMasterSalt: Buffer.from(salt),
    };
    this.#srtp = new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
    this.#srtcp = new SrtcpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
    this.target = {
      host: '127.0.0.1',
      port: socket.address().port,
      payloadType: PT,
      ssrc: PUBLISHER_SSRC,
      srtp: { profile: 'AES_CM_128_HMAC_SHA1_80', masterKey },
    };
    socket.on('message', (wire: Buffer) => this.#onMessage(wire));
  }

  static async start(): Promise<GatewayPeer> {
    const socket = await boundSocket();
    return new GatewayPeer(socket, encodeSrtpKeying(randomBytes(30)).masterKey);
  }

  /** Protects `rtcp` as the gateway would and sends it to the publisher (from `from`, this peer by default). */
  sendRtcp(publisher: RtpPublisher, rtcp: Buffer, from: Socket = this.socket): Buffer {
    const wire = this.#srtcp.encrypt(rtcp);
    from.send(wire, publisher.localPort, '127.0.0.1');
    return wire;
  }

  sendRaw(publisher: RtpPublisher, wire: Buffer): void {
    this.socket.send(wire, publisher.localPort, '127.0.0.1');
  }

  close(): void {
    this.socket.close();
  }

  #onMessage(wire: Buffer): void {
    if (wire[1]! >= 192 && wire[1]! <= 223) {
      for (const rtcp of RtcpPacketConverter.deSerialize(this.#srtcp.decrypt(wire))) {
        if (rtcp instanceof RtcpSrPacket) this.senderReports.push(rtcp);
      }
      return;
    }
    const seq = wire.readUInt16BE(2);
    // RFC 3711 §3.3.1: the index nearest the highest seen.
    const base = this.#highestIndex < 0 ? seq : this.#highestIndex;
    const delta = ((seq - (base & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    const index = base + delta;
    try {
      const [plain] = this.#srtp.remoteContext.cipher.decryptRtp(wire, Math.floor(index / 0x1_0000));
      this.#highestIndex = Math.max(this.#highestIndex, index);
      this.rtp.push({ wire, packet: RtpPacket.deSerialize(plain) });
    } catch {
      this.undecryptable.push(wire);
    }
  }
}

async function boundSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

/** An NAL unit whose body never forms a start code. */
function nal(header: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out[0] = header;
  for (let i = 1; i < size; i++) out[i] = 2 + (i % 250);
  return out;
}

function annexB(...nals: Uint8Array[]): Uint8Array {
  return Uint8Array.from(nals.flatMap((n) => [0, 0, 0, 1, ...n]));
}

const SPS = Uint8Array.of(0x67, 0x42, 0xe0, 0x1f, 0x8c, 0x68, 0x05);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);

function nack(...lost: number[]): Buffer {
  return new GenericNack({ senderSsrc: GATEWAY_SSRC, mediaSourceSsrc: PUBLISHER_SSRC, lost }).serialize();
}

function pli(mediaSsrc = PUBLISHER_SSRC): Buffer {
  return new RtcpPayloadSpecificFeedback({
    feedback: new PictureLossIndication({ senderSsrc: GATEWAY_SSRC, mediaSsrc }),
  }).serialize();
}

/** RFC 5104 FIR with one FCI entry (werift does not export its FIR class). */
function fir(sequenceNumber: number): Buffer {
  const out = Buffer.alloc(20);
  out[0] = 0x80 | 4;
  out[1] = 206;
  out.writeUInt16BE(4, 2);
  out.writeUInt32BE(GATEWAY_SSRC, 4);
  out.writeUInt32BE(0, 8);
  out.writeUInt32BE(PUBLISHER_SSRC, 12);
  out[16] = sequenceNumber;
  return out;
}

describe('RtpPublisher', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup(options: Partial<RtpPublisherOptions> = {}) {
    const peer = await GatewayPeer.start();
    cleanup.push(() => peer.close());
    const publisher = await RtpPublisher.open({
      target: peer.target,
      initialSequenceNumber: 1000,
      initialTimestamp: 50_000,
      ...options,
    });
    cleanup.push(() => publisher.close());
    return { peer, publisher };
  }

  it('sends packets that decrypt with the session key and carry the target SSRC and payload type', async () => {
    const { peer, publisher } = await setup();
    const idr = nal(0x65, 5000);
    publisher.sendAccessUnit({ data: annexB(SPS, PPS, idr), captureMs: 100, keyframe: true });
    publisher.sendAccessUnit({ data: annexB(nal(0x41, 300)), captureMs: 100 + 1000 / 60, keyframe: false });
    await until(() => peer.rtp.length === 7);
    expect(peer.undecryptable).toEqual([]);
    const headers = peer.rtp.map((r) => r.packet.header);
    expect(headers.every((h) => h.ssrc === PUBLISHER_SSRC && h.payloadType === PT)).toBe(true);
    expect(headers.map((h) => h.sequenceNumber)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
    expect(headers.map((h) => h.timestamp)).toEqual([...Array(6).fill(50_000), 51_500]);
    expect(headers.map((h) => h.marker)).toEqual([false, false, false, false, false, true, true]);
    // STAP-A (SPS+PPS), five FU-A fragments of the IDR, then the P slice alone.
    expect(peer.rtp.map((r) => r.packet.payload[0]! & 0x1f)).toEqual([24, 28, 28, 28, 28, 28, 1]);
    expect(peer.rtp.every((r) => r.wire.length <= 1210)).toBe(true);
    const fragments = peer.rtp.slice(1, 6).map((r) => r.packet.payload.subarray(2));
    expect(Buffer.concat(fragments)).toEqual(Buffer.from(idr.subarray(1)));
    expect(publisher.counters).toMatchObject({
      packetsSent: 7,
      bytesSent: peer.rtp.reduce((n, r) => n + r.wire.length, 0),
    });
  });

  it('answers a NACK with exactly the missing packets, at their original sequence numbers', async () => {
    const { peer, publisher } = await setup();
    publisher.sendAccessUnit({ data: annexB(nal(0x65, 10_000)), captureMs: 0, keyframe: true });
    await until(() => peer.rtp.length === 9);
    const original = peer.rtp.slice();
    peer.sendRtcp(publisher, nack(1002, 1005, 1006));
    await until(() => peer.rtp.length === 12);
    await settle();
    expect(peer.rtp).toHaveLength(12);
    const resent = peer.rtp.slice(9);
    expect(resent.map((r) => r.packet.header.sequenceNumber)).toEqual([1002, 1005, 1006]);
    // Same index, same plaintext: byte-identical to the first transmission.
    expect(resent.map((r) => r.wire)).toEqual([original[2]!.wire, original[5]!.wire, original[6]!.wire]);
    expect(publisher.counters).toMatchObject({
      nacksReceived: 1,
      retransmits: 3,
      retransmitBytes: resent.reduce((n, r) => n + r.wire.length, 0),
      nackMisses: 0,
      packetsSent: 9,
      rtcpIn: 1,
    });
  });

  it('retransmits with the right rollover counter far behind a sequence number wrap', async () => {
    const { peer, publisher } = await setup({ initialSequenceNumber: 65_000 });
    // 700 packets, 10 per unit so no burst overflows a socket buffer: the stream wraps and runs 164 past it.
    for (let unit = 0; unit < 70; unit++) {
      publisher.sendAccessUnit({ data: annexB(nal(0x65, 10 * 1186)), captureMs: unit * 16, keyframe: true });
      await until(() => peer.rtp.length === (unit + 1) * 10);
    }
    peer.sendRtcp(publisher, nack(65_100));
    await until(() => peer.rtp.length === 701);
    expect(peer.rtp[700]!.packet.header.sequenceNumber).toBe(65_100);
    expect(peer.undecryptable).toEqual([]);
  });

  it('counts NACKed packets it no longer holds as misses', async () => {
    let clock = 0;
    const { peer, publisher } = await setup({ now: () => clock, historyMs: 500 });
    publisher.sendAccessUnit({ data: annexB(nal(0x41, 100)), captureMs: 0, keyframe: false });
    await until(() => peer.rtp.length === 1);
    clock = 600;
    peer.sendRtcp(publisher, nack(1000, 1001, 2000));
    await until(() => publisher.counters.nackMisses === 3);
    expect(publisher.counters.retransmits).toBe(0);
  });

  it('keeps a NACK-everything flood within the retransmission budget', async () => {
    const { peer, publisher } = await setup({ now: () => 0, retransmitBudget: { burstBytes: 5000 } });
    publisher.sendAccessUnit({ data: annexB(nal(0x65, 40 * 1186)), captureMs: 0, keyframe: true });
    await until(() => peer.rtp.length === 40);
    peer.sendRtcp(publisher, nack(...Array.from({ length: 40 }, (_, i) => 1000 + i)));
    await until(() => publisher.counters.retransmits + publisher.counters.retransmitsDropped === 40);
    const { retransmits, retransmitBytes, retransmitsDropped } = publisher.counters;
    expect(retransmits).toBe(4); // 4 × 1210 bytes fit in 5000
    expect(retransmitBytes).toBeLessThanOrEqual(5000);
    expect(retransmitsDropped).toBe(36);
  });

  it('resends one packet at most once per 10 ms while no RTT is known', async () => {
    let clock = 0;
    const { peer, publisher } = await setup({ now: () => clock });
    publisher.sendAccessUnit({ data: annexB(nal(0x41, 100)), captureMs: 0, keyframe: false });
    await until(() => peer.rtp.length === 1);
    peer.sendRtcp(publisher, nack(1000));
    peer.sendRtcp(publisher, nack(1000));
    await until(() => publisher.counters.nacksReceived === 2);
    expect(publisher.counters.retransmits).toBe(1);
    clock = 10;
    peer.sendRtcp(publisher, nack(1000));
    await until(() => publisher.counters.retransmits === 2);
  });

  it('asks for a keyframe on PLI and on each new FIR', async () => {
    const { peer, publisher } = await setup();
    const reasons: string[] = [];
    publisher.on('keyframeRequest', (reason) => reasons.push(reason));
    peer.sendRtcp(publisher, pli());
    peer.sendRtcp(publisher, fir(7));
    peer.sendRtcp(publisher, fir(7)); // a repeat of the same request
    peer.sendRtcp(publisher, fir(8));
    peer.sendRtcp(publisher, pli(0x9999)); // about another stream
    await until(() => publisher.counters.rtcpIn === 5);
    expect(reasons).toEqual(['pli', 'fir', 'fir']);
    expect(publisher.counters.keyframeRequests).toBe(3);
  });

  it('counts a forged tag, a stranger, a replay and garbage, and acts on none of them', async () => {
    const { peer, publisher } = await setup();
    const reasons: string[] = [];
    publisher.on('keyframeRequest', (reason) => reasons.push(reason));
    const stranger = await boundSocket();
    cleanup.push(() => stranger.close());

    const genuine = peer.sendRtcp(publisher, pli());
    await until(() => publisher.counters.keyframeRequests === 1);
    const forged = Buffer.from(genuine);
    forged[forged.length - 1]! ^= 1;
    peer.sendRaw(publisher, forged);
    peer.sendRaw(publisher, genuine); // a replay
    peer.sendRtcp(publisher, pli(), stranger);
    peer.sendRaw(publisher, Buffer.from([1, 2, 3]));
    peer.sendRaw(publisher, randomBytes(64));
    // Authentic SRTCP around an RTCP packet whose length field overruns the datagram.
    const overrun = pli();
    overrun.writeUInt16BE(40, 2);
    peer.sendRtcp(publisher, overrun);
    await until(() => publisher.counters.rtcpMalformed === 2);
    expect(publisher.counters).toMatchObject({
      rtcpIn: 1,
      rtcpAuthFailures: 2,
      rtcpReplayed: 1,
      rtcpRejected: 1,
      rtcpMalformed: 2,
      keyframeRequests: 1,
    });
    // Still listening.
    peer.sendRtcp(publisher, pli());
    await until(() => publisher.counters.keyframeRequests === 2);
    expect(reasons).toEqual(['pli', 'pli']);
  });

  it('sends a protected sender report every interval while sending, and none while idle', async () => {
    const { peer, publisher } = await setup({
      reportIntervalMs: 40,
      now: () => 1000 + 1000 / 30,
      wallClock: () => 1_700_000_000_000,
    });
    publisher.sendAccessUnit({ data: annexB(nal(0x41, 100)), captureMs: 1000, keyframe: false });
    await until(() => peer.senderReports.length === 1);
    const sr = peer.senderReports[0]!;
    expect(sr.ssrc).toBe(PUBLISHER_SSRC);
    expect(sr.senderInfo.packetCount).toBe(1);
    expect(sr.senderInfo.octetCount).toBe(100);
    // The RTP time of "now": one frame at 30 fps after the unit's capture.
    expect(sr.senderInfo.rtpTimestamp).toBe(50_000 + 3000);
    const ntp = ntpTimestamp(1_700_000_000_000);
    expect(sr.senderInfo.ntpTimestamp).toBe((BigInt(ntp.seconds) << 32n) | BigInt(ntp.fraction));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(publisher.counters.srSent).toBe(1);
  });

  it('turns a receiver report into fraction lost, jitter and an RTT from LSR/DLSR', async () => {
    let clock = 5000;
    const { peer, publisher } = await setup({ reportIntervalMs: 20, now: () => clock, wallClock: () => 1e12 });
    publisher.sendAccessUnit({ data: annexB(nal(0x41, 100)), captureMs: 5000, keyframe: false });
    await until(() => peer.senderReports.length === 1);
    clock = 5040;
    const lsr = compactNtp(ntpTimestamp(1e12));
    const report = publisher.waitFor('receiverReport');
    const rr = new RtcpRrPacket({
      ssrc: GATEWAY_SSRC,
      reports: [
        new RtcpReceiverInfo({
          ssrc: PUBLISHER_SSRC,
          fractionLost: 64,
          packetsLost: 7,
          highestSequence: 1000,
          jitter: 900,
          lsr,
          dlsr: 655, // 10 ms in 1/65536 s
        }),
      ],
    });
    peer.sendRtcp(publisher, rr.serialize());
    const [received] = await report;
    expect(received.fractionLost).toBe(0.25);
    expect(received.cumulativeLost).toBe(7);
    expect(received.jitter).toBe(900);
    expect(received.jitterMs).toBe(10);
    expect(received.rttMs).toBeCloseTo(30, 1);
    expect(publisher.rttMs).toBeCloseTo(30, 1);
  });

  it('relays ffmpeg RTP re-stamped with its own SSRC and sequence, protected, and drops what is not', async () => {
    const { peer, publisher } = await setup();
    const relay = await publisher.openRelay();
    expect(relay.host).toBe('127.0.0.1');
    expect(await publisher.openRelay()).toEqual(relay);
    const ffmpeg = await boundSocket();
    cleanup.push(() => ffmpeg.close());
    const send = (socket: Socket, seq: number, ts: number, pt = PT, payload = Buffer.from('frame data')) => {
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header[1] = 0x80 | pt;
      header.writeUInt16BE(seq, 2);
      header.writeUInt32BE(ts, 4);
      header.writeUInt32BE(0x9999, 8);
      socket.send(Buffer.concat([header, payload]), relay.port, relay.host);
    };
    send(ffmpeg, 40_000, 7_000_000);
    send(ffmpeg, 40_001, 7_003_000);
    send(ffmpeg, 40_002, 7_006_000, 96); // wrong payload type
    ffmpeg.send(Buffer.from([0x80, 200, 0, 6, ...Array(24).fill(0)]), relay.port, relay.host); // ffmpeg's SR
    await until(() => peer.rtp.length === 2 && publisher.counters.relayRejected === 1);
    const headers = peer.rtp.map((r) => r.packet.header);
    expect(headers.map((h) => [h.ssrc, h.sequenceNumber, h.timestamp, h.marker])).toEqual([
      [PUBLISHER_SSRC, 1000, 50_000, true],
      [PUBLISHER_SSRC, 1001, 53_000, true],
    ]);
    expect(peer.rtp[0]!.packet.payload.toString()).toBe('frame data');

    // ffmpeg restarts: a new source port, a new random sequence; the stream continues.
    const restarted = await boundSocket();
    cleanup.push(() => restarted.close());
    send(restarted, 12, 99);
    await until(() => peer.rtp.length === 3);
    expect(peer.rtp[2]!.packet.header.sequenceNumber).toBe(1002);

    // Relayed packets are in the history too.
    peer.sendRtcp(publisher, nack(1001));
    await until(() => peer.rtp.length === 4);
    expect(peer.rtp[3]!.wire).toEqual(peer.rtp[1]!.wire);
    expect(publisher.counters).toMatchObject({ packetsSent: 3, retransmits: 1, relayRejected: 1 });
  });

  it('keeps one way of feeding: access units after a relay are dropped, a relay after access units refused', async () => {
    const relaying = await setup();
    await relaying.publisher.openRelay();
    relaying.publisher.sendAccessUnit({ data: annexB(nal(0x41, 10)), captureMs: 0, keyframe: false });
    expect(relaying.publisher.counters).toMatchObject({ accessUnitsDropped: 1, packetsSent: 0 });

    const encoding = await setup();
    encoding.publisher.sendAccessUnit({ data: annexB(nal(0x41, 10)), captureMs: 0, keyframe: false });
    await expect(encoding.publisher.openRelay()).rejects.toMatchObject({ code: 'FW_ERR_INVALID_STATE' });
  });

  it('counts an access unit with no NAL units instead of throwing', async () => {
    const { publisher } = await setup();
    publisher.sendAccessUnit({ data: Uint8Array.of(1, 2, 3), captureMs: 0, keyframe: false });
    publisher.sendAccessUnit({ data: annexB(nal(0x41, 10)), captureMs: Number.NaN, keyframe: false });
    expect(publisher.counters).toMatchObject({ accessUnitsDropped: 2, packetsSent: 0 });
  });

  it('refuses a malformed master key with a typed error', async () => {
    const peer = await GatewayPeer.start();
    cleanup.push(() => peer.close());
    const target = { ...peer.target, srtp: { ...peer.target.srtp, masterKey: 'AAAA' } };
    const opening = RtpPublisher.open({ target });
    await expect(opening).rejects.toBeInstanceOf(FramewayError);
    await expect(opening).rejects.toMatchObject({ code: 'FW_ERR_INVALID_PAYLOAD' });
  });

  it('closes both sockets, once, however often it is asked', async () => {
    const { peer, publisher } = await setup();
    const relay = await publisher.openRelay();
    const first = publisher.close();
    expect(publisher.close()).toBe(first);
    await first;
    publisher.sendAccessUnit({ data: annexB(nal(0x41, 10)), captureMs: 0, keyframe: false });
    await expect(publisher.openRelay()).rejects.toMatchObject({ code: 'FW_ERR_INVALID_STATE' });
    // Both ports are free again.
    for (const port of [relay.port, publisher.localPort]) {
      const probe = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(port, '127.0.0.1', resolve);
      });
      probe.close();
    }
    expect(peer.rtp).toEqual([]);
  });
});

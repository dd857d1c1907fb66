import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpPacket } from 'werift';
// The route itself, not the whole gateway: the test needs its loss seam, which no configuration reaches.
import type { ProtectedPacket } from '../../gateway/src/media/fec/encodeUlpfec.js';
import { recoverUlpfec } from '../../gateway/src/media/fec/recoverUlpfec.js';
import type { DownlinkLossSimulator, OutgoingVideoPacket } from '../../gateway/src/media/fec/WeriftFecSender.js';
import { detectH264Keyframe } from '../../gateway/src/media/ingest/detectH264Keyframe.js';
import type { RtpIngestAddress } from '../../gateway/src/media/MediaRouter.js';
import { CandidateFilter } from '../../gateway/src/media/sdp/candidateFilter.js';
import { WeriftSessionRoute } from '../../gateway/src/media/werift/WeriftSessionRoute.js';
import { createRandom } from '../../gateway/src/random/createRandom.js';
import { launchChromium } from '../support/launchChromium.js';
import { missingPrerequisites } from '../support/prerequisites.js';

const ffmpeg = process.env.FFMPEG_BIN ?? 'ffmpeg';
const missing = missingPrerequisites(['ffmpeg', 'chromium']);
if (missing.length === 0) {
  const encoders = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout ?? '';
  if (!encoders.includes('libx264')) missing.push(`libx264 in ${ffmpeg}`);
}
if (missing.length > 0) console.warn(`[skip] ULPFEC browser test: missing ${missing.join(', ')}`);

const FPS = 30;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Chromium's inbound video, as its own WebRTC stack counts it. */
interface InboundVideo {
  packetsReceived: number;
  packetsLost: number;
  fecPacketsReceived: number;
  framesReceived: number;
  framesDecoded: number;
  keyFramesDecoded: number;
  freezeCount: number;
  pliCount: number;
  nackCount: number;
  retransmittedPacketsReceived: number;
}

/** The agent's encoder without the agent: H.264 (libx264 baseline, 30 fps) as SRTP RTP, keyed the way SessionStart keys it. */
function h264Sender(target: RtpIngestAddress, seconds: number, gopFrames: number): ChildProcess {
  const child = spawn(
    ffmpeg,
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi'],
      ...['-i', `testsrc2=size=640x360:rate=${FPS}`, '-t', String(seconds)],
      ...['-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'ultrafast', '-tune', 'zerolatency'],
      ...['-g', String(gopFrames), '-b:v', '1500k', '-maxrate', '1500k', '-bufsize', '100k', '-pix_fmt', 'yuv420p'],
      ...['-f', 'rtp', '-payload_type', String(target.payloadType), '-ssrc', String(target.ssrc | 0)],
      ...['-srtp_out_suite', target.srtp.profile, '-srtp_out_params', target.srtp.masterKey],
      `srtp://${target.host}:${target.port}?pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
  cleanups.push(() => child.kill('SIGKILL'));
  return child;
}

/** A recvonly video player in the page; returns its offer once ICE gathering is complete. */
async function offerFromPage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    (window as unknown as { pc: RTCPeerConnection }).pc = pc;
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = (event) => {
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.srcObject = new MediaStream([event.track]);
      document.body.append(video);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') resolve();
      };
    });
    return pc.localDescription?.sdp ?? '';
  });
}

async function readInbound(page: Page): Promise<InboundVideo> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
    const stats: Record<string, unknown>[] = [...(await pc.getStats()).values()];
    const inbound = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'video') ?? {};
    const num = (key: string): number => (typeof inbound[key] === 'number' ? (inbound[key] as number) : 0);
    return {
      packetsReceived: num('packetsReceived'),
      packetsLost: num('packetsLost'),
      fecPacketsReceived: num('fecPacketsReceived'),
      framesReceived: num('framesReceived'),
      framesDecoded: num('framesDecoded'),
      keyFramesDecoded: num('keyFramesDecoded'),
      freezeCount: num('freezeCount'),
      pliCount: num('pliCount'),
      nackCount: num('nackCount'),
      retransmittedPacketsReceived: num('retransmittedPacketsReceived'),
    };
  });
}

/** One video packet as the loss simulator saw it, in send order. */
interface SentPacket extends OutgoingVideoPacket {
  dropped: boolean;
  /** Sent while the loss ran (the measured window). */
  measured: boolean;
}

/**
 * What a receiver can rebuild from the packets that got through, with this
 * repository's own ULPFEC decoder: each dropped media packet an FEC packet
 * rebuilds, checked byte for byte against what was sent.
 */
function replayFec(log: readonly SentPacket[]): { recovered: Set<number>; mismatched: number } {
  const have = new Map<number, ProtectedPacket>();
  const lost = new Map<number, SentPacket>();
  for (const packet of log) {
    if (packet.fec || !packet.bytes) continue;
    if (packet.dropped) lost.set(packet.seq, packet);
    else have.set(packet.seq, { seq: packet.seq, bytes: packet.bytes });
  }
  const ssrc = Buffer.from([...have.values()][0]?.bytes ?? Buffer.alloc(12)).readUInt32BE(8);
  const recovered = new Set<number>();
  let mismatched = 0;
  for (let pass = 0, progress = true; progress && pass < 4; pass++) {
    progress = false;
    for (const fec of log) {
      if (!fec.fec || fec.dropped || !fec.bytes) continue;
      const rebuilt = recoverUlpfec(fec.bytes, [...have.values()], ssrc);
      const original = rebuilt && lost.get(rebuilt.seq);
      if (!rebuilt || !original?.bytes || recovered.has(rebuilt.seq)) continue;
      if (Buffer.compare(Buffer.from(rebuilt.bytes), Buffer.from(original.bytes)) !== 0) mismatched++;
      recovered.add(rebuilt.seq);
      have.set(rebuilt.seq, rebuilt);
      progress = true;
    }
  }
  return { recovered, mismatched };
}

/**
 * Frames Chromium can decode, by how libwebrtc receives H.264 without a
 * frame descriptor: a frame needs all its packets; a delta frame also needs
 * every sequence number since the previous decodable frame, FEC packets
 * included (RtpSeqNumOnlyRefFinder), or it waits for a keyframe (no NACK,
 * no PLI here).
 */
function predictDecodable(log: readonly SentPacket[], recovered: ReadonlySet<number>): number {
  const present = (packet: SentPacket): boolean => !packet.dropped || recovered.has(packet.seq);
  let broken = true;
  let gap = false;
  let decodable = 0;
  let frame: SentPacket[] = [];
  for (const packet of log) {
    if (packet.fec) {
      gap ||= !present(packet);
      continue;
    }
    frame.push(packet);
    if (!packet.marker) continue;
    const complete = frame.every(present);
    const payloads = frame.map((p) =>
      p.bytes ? RtpPacket.deSerialize(Buffer.from(p.bytes)).payload : Buffer.alloc(0),
    );
    const key = payloads.some((payload) => detectH264Keyframe(payload));
    if (complete && key) broken = false;
    else if (!complete || gap) broken = true;
    if (!broken && frame[0]?.measured) decodable++;
    frame = [];
    gap = false;
  }
  return decodable;
}

interface Leg {
  answer: string;
  chromium: InboundVideo;
  /** The codec Chromium names for the inbound video. */
  codec: string;
  log: SentPacket[];
  /** NACK/RTX on: the frame prediction (FEC alone) does not apply. */
  repair: boolean;
}

/**
 * One player leg: a route (FEC as given; without `repair` no NACK/RTX/PLI, so
 * only FEC can repair), ffmpeg's H.264 into its ingest, Chromium receiving;
 * `drop` decides which packets the simulated downlink loses during the
 * measured `seconds`.
 */
async function runLeg(options: {
  fec: 'off' | 'on' | 'auto';
  repair?: boolean;
  drop: (packet: OutgoingVideoPacket) => boolean;
  seconds: number;
  gopFrames: number;
}): Promise<Leg> {
  const warmupMs = 3_000;
  let measuring = false;
  let lossy = false;
  const log: SentPacket[] = [];
  const simulatedLoss: DownlinkLossSimulator = (packet) => {
    const dropped = lossy && options.drop(packet);
    log.push({ ...packet, bytes: packet.bytes && Buffer.from(packet.bytes), dropped, measured: measuring });
    return dropped;
  };
  const route = await WeriftSessionRoute.create(
    { sessionId: 'fec-e2e', video: { width: 640, height: 360, fps: FPS, codec: 'h264', bitrateKbps: 1500 } },
    {
      rtpHost: '127.0.0.1',
      iceServers: [],
      additionalHostAddresses: ['127.0.0.1'],
      candidateFilter: new CandidateFilter(undefined),
      inputRatePerSecond: 100,
      disconnectGraceMs: 5_000,
      repair: options.repair ?? false,
      adaptiveBitrate: true,
      minBitrateKbps: 300,
      retransmitShare: 0.5,
      fec: options.fec,
      simulatedLoss,
    },
  );
  cleanups.push(() => route.close());
  await using chrome = await launchChromium();
  const page = await chrome.browser.newPage();
  await page.setContent('<!doctype html><body></body>');
  const connected = new Promise<void>((resolve) => route.once('playerConnected', () => resolve()));
  const answer = await route.answerPlayer(await offerFromPage(page));
  await page.evaluate(async (sdp) => {
    await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp });
  }, answer);
  await connected;
  h264Sender(route.ingest, warmupMs / 1000 + options.seconds + 2, options.gopFrames);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const before = await readInbound(page);
  measuring = true;
  lossy = true;
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  lossy = false;
  // Frames in flight land before the count is read; they count on both sides.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await readInbound(page);
  measuring = false;
  const chromium = { ...after };
  for (const key of Object.keys(chromium) as Array<keyof InboundVideo>) chromium[key] -= before[key];
  const codec = await page.evaluate(async () => {
    const stats: Record<string, unknown>[] = [
      ...(await (window as unknown as { pc: RTCPeerConnection }).pc.getStats()).values(),
    ];
    const inbound = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
    return String(stats.find((s) => s.id === inbound?.codecId)?.mimeType ?? 'none');
  });
  return { answer, chromium, codec, log, repair: options.repair ?? false };
}

/** What one leg measured (logged), and Chromium's count set against the prediction. */
function measure(leg: Leg) {
  const { recovered, mismatched } = replayFec(leg.log);
  const measured = leg.log.filter((p) => p.measured);
  const droppedMedia = measured.filter((p) => p.dropped && !p.fec).length;
  const sum = (fec: boolean): number =>
    measured.filter((p) => p.fec === fec).reduce((total, p) => total + (p.bytes?.length ?? 0), 0);
  return {
    codec: leg.codec,
    framesSent: measured.filter((p) => p.marker && !p.fec).length,
    framesDecoded: leg.chromium.framesDecoded,
    framesPredicted: leg.repair ? null : predictDecodable(leg.log, recovered),
    freezes: leg.chromium.freezeCount,
    pli: leg.chromium.pliCount,
    droppedMedia,
    droppedFec: measured.filter((p) => p.dropped && p.fec).length,
    recovered: recovered.size,
    mismatched,
    chromiumPacketsLost: leg.chromium.packetsLost,
    chromiumFecPacketsReceived: leg.chromium.fecPacketsReceived,
    chromiumNacks: leg.chromium.nackCount,
    chromiumRetransmissions: leg.chromium.retransmittedPacketsReceived,
    fecPackets: measured.filter((p) => p.fec).length,
    // FEC bytes (ULPFEC headers + XOR payload) per media byte (header + payload), over the measured window.
    fecOverheadPercent: Math.round((sum(true) / Math.max(1, sum(false))) * 1000) / 10,
    mediaPerFecPacket:
      Math.round((measured.filter((p) => !p.fec).length / Math.max(1, measured.filter((p) => p.fec).length)) * 10) / 10,
  };
}

describe.skipIf(missing.length > 0)('ULPFEC to Chromium (RED + ULPFEC, no NACK, no PLI)', () => {
  it('repairs every 20th media packet lost on the player leg from FEC alone: every frame decoded, no freeze', async () => {
    let media = 0;
    // A keyframe every 20 s: a single packet FEC failed to repair would stall the rest of the leg.
    const leg = await runLeg({
      fec: 'on',
      seconds: 8,
      gopFrames: FPS * 20,
      drop: (packet) => !packet.fec && ++media % 20 === 0,
    });
    const result = measure(leg);
    console.log('[fec: every 20th media packet dropped]', JSON.stringify(result));
    expect(leg.answer).toMatch(/^m=video \d+ \S+ (\d+) /m);
    expect(leg.answer).toMatch(/a=rtpmap:\d+ ulpfec\/90000/);
    expect(result.fecPackets).toBeGreaterThan(0);
    expect(result.droppedMedia).toBeGreaterThan(20);
    expect(result.recovered).toBe(result.droppedMedia);
    expect(result.mismatched).toBe(0);
    expect(result.freezes).toBe(0);
    expect(result.framesDecoded).toBeGreaterThanOrEqual(result.framesSent - 3);
  });

  it('without FEC the same loss stalls the picture (the measure can fail)', async () => {
    let media = 0;
    const leg = await runLeg({
      fec: 'off',
      seconds: 4,
      gopFrames: FPS * 20,
      drop: (packet) => !packet.fec && ++media % 20 === 0,
    });
    const result = measure(leg);
    console.log('[no fec: every 20th media packet dropped]', JSON.stringify(result));
    expect(result.droppedMedia).toBeGreaterThan(10);
    expect(result.framesDecoded).toBeLessThan(result.framesSent / 2);
  });

  it.each([0.02, 0.05])(
    'at %s random loss of every packet, Chromium decodes what the FEC decoder predicts',
    async (share) => {
      const random = createRandom(Math.round(share * 1000));
      // A keyframe every second bounds what one unrepaired loss costs (no PLI here).
      const leg = await runLeg({ fec: 'on', seconds: 10, gopFrames: FPS, drop: () => random() < share });
      const result = measure(leg);
      console.log(`[fec: ${share * 100} % random loss]`, JSON.stringify(result));
      expect(result.droppedMedia).toBeGreaterThan(0);
      expect(result.mismatched).toBe(0);
      expect(result.recovered / result.droppedMedia).toBeGreaterThan(share < 0.03 ? 0.7 : 0.5);
      expect(Math.abs(result.framesDecoded - (result.framesPredicted ?? 0))).toBeLessThanOrEqual(6);
    },
  );

  it("'auto' with NACK and RTX on: FEC starts under 5 % loss, RTX (paired with RED) fills lost FEC packets, no freeze", async () => {
    const random = createRandom(7);
    const leg = await runLeg({
      fec: 'auto',
      repair: true,
      seconds: 8,
      gopFrames: FPS * 20,
      drop: () => random() < 0.05,
    });
    const result = measure(leg);
    console.log('[auto fec + nack/rtx: 5 % random loss]', JSON.stringify(result));
    expect(leg.answer).toMatch(/a=fmtp:\d+ apt=(\d+)/);
    // Off before the loss; on within ~2 s of it (the player's NACKs say 5 %).
    const lossStart = leg.log.findIndex((p) => p.measured);
    expect(leg.log.slice(0, lossStart).filter((p) => p.fec)).toEqual([]);
    expect(result.fecPackets).toBeGreaterThan(0);
    expect(result.chromiumRetransmissions).toBeGreaterThan(0);
    expect(result.freezes).toBe(0);
    expect(result.framesDecoded).toBeGreaterThanOrEqual(result.framesSent - 3);
  });
});

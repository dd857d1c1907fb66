import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { H264_FMTP } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters, type RtpPacket, useSdesMid } from 'werift';
import type { RtpIngestAddress } from '../MediaRouter.js';
import { CandidateFilter } from '../sdp/candidateFilter.js';
import { WeriftSessionRoute } from './WeriftSessionRoute.js';

const ffmpeg = process.env.FFMPEG_BIN ?? 'ffmpeg';
const hasOpus =
  spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout?.includes('libopus') ?? false;
if (!hasOpus) console.warn(`[skip] werift audio route test: ${ffmpeg} with libopus is missing`);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A browser-like player on werift: recvonly video + audio, like the SDK's offer. */
async function player(route: WeriftSessionRoute) {
  const pc = new RTCPeerConnection({
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90_000, parameters: H264_FMTP })],
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: 109 })],
    },
    headerExtensions: { video: [useSdesMid()], audio: [useSdesMid()] },
  });
  cleanups.push(() => pc.close());
  const audio: RtpPacket[] = [];
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' }).onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((packet) => audio.push(packet));
  });
  pc.createDataChannel('input');
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await route.answerPlayer(pc.localDescription!.sdp);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('player did not connect')), 10_000);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { pc, audio, answer };
}

/** The agent's audio encoder, minus PulseAudio: a tone encoded to Opus RTP exactly as the agent sends it. */
function opusSender(target: RtpIngestAddress): ChildProcess {
  const child = spawn(
    ffmpeg,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      '20',
      '-ac',
      '2',
      '-c:a',
      'libopus',
      '-application',
      'lowdelay',
      '-frame_duration',
      '10',
      '-b:a',
      '96k',
      '-f',
      'rtp',
      '-payload_type',
      String(target.payloadType),
      '-ssrc',
      String(target.ssrc | 0),
      // ffmpeg's own SRTP stack, keyed the way SessionStart keys the agent: interoperability, not only our sender.
      '-srtp_out_suite',
      target.srtp.profile,
      '-srtp_out_params',
      target.srtp.masterKey,
      `srtp://${target.host}:${target.port}?pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
  cleanups.push(() => child.kill('SIGKILL'));
  return child;
}

describe.skipIf(!hasOpus)('WeriftSessionRoute audio', () => {
  it('forwards the agent’s Opus RTP stream to the player as its own synchronisation group', async () => {
    const route = await WeriftSessionRoute.create(
      { sessionId: 'audio-1', video: { width: 320, height: 240, fps: 30, codec: 'h264', bitrateKbps: 1000 } },
      {
        rtpHost: '127.0.0.1',
        iceServers: [],
        additionalHostAddresses: ['127.0.0.1'],
        candidateFilter: new CandidateFilter(['127.0.0.1']),
        inputRatePerSecond: 100,
        disconnectGraceMs: 1_000,
        repair: true,
        adaptiveBitrate: true,
        minBitrateKbps: 300,
        retransmitShare: 0.5,
        fec: 'off',
      },
    );
    cleanups.push(() => route.close());
    expect(route.audioIngest).toMatchObject({ host: '127.0.0.1', payloadType: 111 });
    expect(route.audioIngest.port).not.toBe(route.ingest.port);
    expect(route.audioIngest.ssrc).not.toBe(route.ingest.ssrc);

    const { audio, answer } = await player(route);
    // Audio has a MediaStream of its own; video is in none, so nothing ties them.
    const sections = answer.split(/\r?\n(?=m=)/);
    const audioSection = sections.find((section) => section.startsWith('m=audio')) ?? '';
    const videoSection = sections.find((section) => section.startsWith('m=video')) ?? '';
    expect(audioSection).toMatch(/a=sendonly/);
    expect(audioSection).toMatch(/a=msid:frameway-audio /);
    expect(videoSection).not.toMatch(/frameway-audio/);

    opusSender(route.audioIngest);
    const deadline = Date.now() + 10_000;
    while (audio.length < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(audio.length).toBeGreaterThanOrEqual(50);
    // The player's negotiated Opus payload type, 10 ms frames (480 samples at 48 kHz), in order.
    expect(new Set(audio.map((packet) => packet.header.payloadType))).toEqual(new Set([109]));
    const steps = audio.slice(1, 30).map((packet, i) => (packet.header.timestamp - audio[i]!.header.timestamp) >>> 0);
    expect(steps.filter((step) => step === 480).length).toBeGreaterThan(25);
    expect(audio.every((packet) => packet.payload.length > 10 && packet.payload.length < 400)).toBe(true);
    expect(route.stats()).toMatchObject({ audioPacketsIn: expect.any(Number), packetsIn: 0 });
    expect(route.stats().audioPacketsForwarded).toBeGreaterThanOrEqual(50);
  });
});

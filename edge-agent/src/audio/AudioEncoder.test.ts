import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, isProcessAlive } from '../../testing/processes.js';
import { RtpSink } from '../../testing/RtpSink.js';
import { resolveFfmpeg } from '../ffmpeg/resolveFfmpeg.js';
import { findExecutable } from '../runtime/spawnTied.js';
import { AudioEncoder } from './AudioEncoder.js';
import { buildAudioEncoderArgs } from './buildAudioEncoderArgs.js';
import { PulseAudioServer } from './PulseAudioServer.js';

const ffmpegPath = resolveFfmpeg().path;
const hasPulse = findExecutable('pulseaudio') !== undefined;
const hasOpus = spawnSync(ffmpegPath, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout.includes('libopus');
if (!hasPulse) console.warn('[skip] session audio tests: pulseaudio is not installed (apt: pulseaudio)');
if (!hasOpus) console.warn(`[skip] session audio tests: ${ffmpegPath} has no libopus`);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-audio-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function pulse(): Promise<PulseAudioServer> {
  const server = await PulseAudioServer.start({ dir: join(tempDir(), 'pulse') });
  cleanups.push(() => server.close());
  return server;
}

async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('buildAudioEncoderArgs', () => {
  it('records the PulseAudio source in 10 ms fragments and sends low-delay CBR Opus as RTP', () => {
    const args = buildAudioEncoderArgs({
      source: { kind: 'pulse', server: 'unix:/run/s/native', source: 'frameway.monitor' },
      rtp: { host: '10.0.0.2', port: 5004, payloadType: 111, ssrc: 77 },
    });
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('-f')).toBe('pulse');
    expect(value('-server')).toBe('unix:/run/s/native');
    expect(value('-fragment_size')).toBe('1920');
    expect(value('-i')).toBe('frameway.monitor');
    expect(value('-c:a')).toBe('libopus');
    expect(value('-application')).toBe('lowdelay');
    expect(value('-frame_duration')).toBe('10');
    expect(value('-vbr')).toBe('off');
    expect(value('-af')).toBe('asetpts=N/SR/TB');
    expect(args.slice(-7)).toEqual([
      '-f',
      'rtp',
      '-payload_type',
      '111',
      '-ssrc',
      '77',
      'rtp://10.0.0.2:5004?pkt_size=1200&rtcpport=5004',
    ]);
  });
});

describe.skipIf(!hasPulse || !hasOpus)('session audio (PulseAudio null sink → Opus RTP)', () => {
  it('streams what the game plays as Opus RTP with the assigned payload type and SSRC', async () => {
    const server = await pulse();
    const sink = await RtpSink.open();
    cleanups.push(() => sink.close());
    const encoder = new AudioEncoder({
      ffmpegPath,
      rtp: { host: '127.0.0.1', port: sink.port, payloadType: 111, ssrc: 0x5eed },
    });
    cleanups.push(() => encoder.close());
    await encoder.start(server.capture);
    await sink.waitUntil(() => sink.packets.length >= 50, 10_000, '50 Opus packets');
    const packets = sink.packets.slice(0, 50);
    expect(packets.every((p) => p.payloadType === 111 && p.ssrc === 0x5eed)).toBe(true);
    const steps = packets.slice(1).map((p, i) => (p.timestamp - packets[i]!.timestamp) >>> 0);
    expect(steps.filter((step) => step === 480).length).toBeGreaterThan(45); // 10 ms at 48 kHz
  });

  it('carries the tone a program plays into the session sink (decoded level, not silence)', async () => {
    const server = await pulse();
    const port = await freePort();
    const sdp = join(tempDir(), 'audio.sdp');
    writeFileSync(
      sdp,
      `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=frameway\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n`,
    );
    // A receiver that decodes the RTP and measures the level.
    const receiver = spawn(
      ffmpegPath,
      [
        '-hide_banner',
        '-protocol_whitelist',
        'file,udp,rtp',
        '-i',
        sdp,
        '-t',
        '1.5',
        '-af',
        'astats',
        '-f',
        'null',
        '-',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    cleanups.push(() => receiver.kill('SIGKILL'));
    let stderr = '';
    receiver.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const done = new Promise((resolve) => receiver.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const encoder = new AudioEncoder({ ffmpegPath, rtp: { host: '127.0.0.1', port, payloadType: 111, ssrc: 9 } });
    cleanups.push(() => encoder.close());
    await encoder.start(server.capture);
    const tone = spawn(
      ffmpegPath,
      [
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
        '-t',
        '10',
        '-f',
        'pulse',
        'tone',
      ],
      { stdio: 'ignore', env: { ...process.env, ...server.env } },
    );
    cleanups.push(() => tone.kill('SIGKILL'));
    await done;
    const rms = [...stderr.matchAll(/RMS level dB: (-?[\d.]+|-inf)/g)].map((match) => Number(match[1]));
    expect(rms.length).toBeGreaterThan(0);
    // lavfi's sine is at 1/8 full scale: about -21 dBFS RMS; silence would be -inf.
    expect(Math.max(...rms)).toBeGreaterThan(-40);
  });

  it('stops ffmpeg on close and the daemon with the server', async () => {
    const server = await pulse();
    const encoder = new AudioEncoder({ ffmpegPath, rtp: { host: '127.0.0.1', port: 9, payloadType: 111, ssrc: 1 } });
    await encoder.start(server.capture);
    const pid = encoder.pid as number;
    const daemon = server.pid as number;
    await encoder.close();
    await server.close();
    expect(isProcessAlive(pid)).toBe(false);
    await eventually(() => !isProcessAlive(daemon), 3_000, 'pulseaudio exit');
  });

  it('fails with FW_ERR_RUNTIME_FAILED when the daemon cannot start', async () => {
    await expect(
      PulseAudioServer.start({ dir: join(tempDir(), 'p'), pulseaudioPath: '/nonexistent/pulseaudio' }),
    ).rejects.toMatchObject({ code: 'FW_ERR_RUNTIME_FAILED' });
  });
});

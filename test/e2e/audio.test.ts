import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../support/launchChromium.js';
import { trackPeerConnections } from '../support/peerConnectionStats.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { startFrameway } from '../support/startFrameway.js';

const PROBE_APP = join(
  import.meta.dirname,
  '..',
  '..',
  'edge-agent',
  'src',
  'runtime',
  'x11',
  'fixtures',
  'x11ProbeApp.mjs',
);
const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
for (const [tool, path] of [
  ['Xvfb (apt: xvfb)', '/usr/bin/Xvfb'],
  ['pulseaudio (apt: pulseaudio)', '/usr/bin/pulseaudio'],
] as const) {
  if (!existsSync(path)) missing.push(tool);
}
if (missing.length > 0) console.warn(`[skip] session audio end-to-end test: missing ${missing.join(', ')}`);

/** Inbound audio as Chromium's WebRTC stack reports it. */
interface InboundAudio {
  packetsReceived: number;
  totalAudioEnergy: number;
  audioLevel: number;
  codec: string;
  /** msid stream ids of the remote audio and video tracks. */
  audioStreams: string[];
  videoStreams: string[];
}

describe.skipIf(missing.length > 0)(
  'session audio end to end (PulseAudio sink → Opus RTP → gateway → Chromium)',
  () => {
    it('plays what the game plays: Opus packets reach the browser and decode to sound', async () => {
      // A "game" that beeps: a 440 Hz tone into the session's PulseAudio sink, and a window.
      const cmd = `sh -c 'ffmpeg -loglevel quiet -re -f lavfi -i sine=frequency=440:sample_rate=48000 -f pulse tone & exec node ${PROBE_APP}'`;
      const flags = ['--runtime', 'x11', '--cmd', cmd];
      await using frameway = await startFrameway({ port: 0, agentArgs: flags, gatewayArgs: flags });
      await using chrome = await launchChromium();
      const page = await chrome.browser.newPage();
      await trackPeerConnections(page);
      await page.goto(frameway.url);
      await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
      // The player starts muted (autoplay rules); the sound button is the player's way to hear it.
      await page.click('#sound');
      const read = () =>
        page.evaluate(async (): Promise<InboundAudio | null> => {
          const connections = (window as unknown as { __framewayPeerConnections?: RTCPeerConnection[] })
            .__framewayPeerConnections;
          const pc = connections?.at(-1);
          if (!pc) return null;
          const stats = [...(await pc.getStats()).values()] as Record<string, unknown>[];
          const inbound = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
          if (!inbound) return null;
          const codec = stats.find((s) => s.id === inbound.codecId);
          const streams = (kind: string) =>
            pc
              .getReceivers()
              .filter((r) => r.track.kind === kind)
              .flatMap(() =>
                [
                  ...(pc.remoteDescription?.sdp.matchAll(new RegExp(`m=${kind}[\\s\\S]*?a=msid:(\\S+)`, 'g')) ?? []),
                ].map((m) => m[1] as string),
              );
          return {
            packetsReceived: Number(inbound.packetsReceived ?? 0),
            totalAudioEnergy: Number(inbound.totalAudioEnergy ?? 0),
            audioLevel: Number(inbound.audioLevel ?? 0),
            codec: String(codec?.mimeType ?? ''),
            audioStreams: streams('audio'),
            videoStreams: streams('video'),
          };
        });
      let audio: InboundAudio | null = null;
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        audio = await read();
        if (audio && audio.packetsReceived > 100 && audio.totalAudioEnergy > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(audio).not.toBeNull();
      expect(audio!.codec).toBe('audio/opus');
      expect(audio!.packetsReceived).toBeGreaterThan(100);
      // Not silence: the decoded tone carries energy.
      expect(audio!.totalAudioEnergy).toBeGreaterThan(0);
      // Audio is a synchronisation group of its own: it never holds video back.
      expect(audio!.audioStreams).toEqual(['frameway-audio']);
      expect(audio!.videoStreams).not.toContain('frameway-audio');
    });
  },
);

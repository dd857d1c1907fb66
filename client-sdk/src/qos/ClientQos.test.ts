import { type AnyMessage, MessageType } from '@frameway/protocol';
import {
  clientReportDigest,
  keyBindingDigest,
  qosDomain,
  recoverSigner,
  type SignedClientReport,
} from '@frameway/protocol/qos';
import { describe, expect, it } from 'vitest';
import type { SessionStats } from '../media/deriveStats.js';
import { ClientQos, type QosSocket } from './ClientQos.js';
import type { Rgb } from './InputToPhotonProbe.js';

const domain = qosDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');

function stats(seconds: number, overrides: Partial<SessionStats> = {}): SessionStats {
  return {
    timestamp: seconds * 1000,
    fps: 60,
    framesDecoded: seconds * 60,
    framesDropped: seconds,
    framesReceived: seconds * 60,
    keyFramesDecoded: 1,
    width: 1280,
    height: 720,
    codec: 'H264',
    rttMs: 4 + (seconds % 10),
    jitterMs: 1,
    packetsLost: 0,
    packetsReceived: seconds * 700,
    lossPercent: 0,
    bytesReceived: seconds * 1_000_000,
    bitrateKbps: 8000,
    freezeCount: 0,
    totalFreezesDurationMs: 0,
    jitterBufferMs: 5,
    decodeMs: 2,
    latencyEstimateMs: 10,
    nackCount: 0,
    pliCount: 0,
    ...overrides,
  } as SessionStats;
}

function harness() {
  let now = 5_000_000;
  let page = 0;
  const timers: Array<{ at: number; callback: () => void }> = [];
  const requests: Array<{ t: number; p: unknown }> = [];
  const socket: QosSocket = {
    request: (async (t: number, p: unknown) => {
      requests.push({ t, p });
      return t === MessageType.QosBindKey ? { sessionId: 'ses_c', key: (p as { key: string }).key } : {};
    }) as QosSocket['request'],
  };
  let frame: ((now: number, metadata: { presentationTime: number }) => void) | undefined;
  let colour: Rgb = { r: 255, g: 0, b: 0 };
  const qos = new ClientQos({
    sessionId: 'ses_c',
    socket: () => socket,
    video: () => ({
      requestVideoFrameCallback: (callback) => {
        frame = callback;
        return 1;
      },
    }),
    sampler: () => colour,
    now: () => now,
    pageNow: () => page,
    setTimer: (callback, ms) => {
      const timer = { at: now + ms, callback };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      const index = timers.indexOf(handle as (typeof timers)[number]);
      if (index >= 0) timers.splice(index, 1);
    },
  });
  return {
    qos,
    requests,
    setColour: (rgb: Rgb) => {
      colour = rgb;
    },
    /** Presents one frame at page time `at`. */
    present: (at: number) => {
      page = at;
      const callback = frame;
      frame = undefined;
      callback?.(at, { presentationTime: at });
    },
    setPage: (at: number) => {
      page = at;
    },
    advanceTo: async (ms: number) => {
      now = ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.callback();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
    now: () => now,
  };
}

const start = (elapsedMs: number): AnyMessage =>
  ({ t: MessageType.QosStart, p: { sessionId: 'ses_c', domain, intervalMs: 60_000, elapsedMs } }) as AnyMessage;

describe('ClientQos', () => {
  it('binds its own key with proof of possession', async () => {
    const h = harness();
    await h.qos.bind();
    const bind = h.requests[0]!;
    expect(bind.t).toBe(MessageType.QosBindKey);
    const { key, proof } = bind.p as { key: `0x${string}`; proof: `0x${string}` };
    expect(key).toBe(h.qos.key!.address);
    expect(await recoverSigner(keyBindingDigest('ses_c', key), proof)).toBe(key);
  });

  it('reports each minute on the gateway grid from the stats samples, signed with the session key', async () => {
    const h = harness();
    const t0 = h.now();
    h.qos.handleMessage(start(20_000)); // joined 20 s into minute 0
    for (let s = 0; s <= 40; s++) h.qos.stats(stats(s));
    await h.advanceTo(t0 + 40_000);
    for (let s = 41; s <= 100; s++) h.qos.stats(stats(s));
    await h.advanceTo(t0 + 100_000);
    const reports = h.requests.filter((r) => r.t === MessageType.QosClientReport).map((r) => r.p as SignedClientReport);
    expect(reports.map((r) => r.report.minuteIndex)).toEqual([0, 1]);
    expect(reports[0]?.report).toMatchObject({
      windowStart: t0,
      windowEnd: t0 + 40_000,
      framesReceived: 2400,
      framesDecoded: 2400,
      framesRendered: 2360,
      packetsReceived: 28_000,
      inputSamples: 0,
      inputToPhotonUsP95: 0,
    });
    expect(reports[1]?.report).toMatchObject({
      framesDecoded: 3600,
      framesRendered: 3540,
      rttUsP50: 8_000,
      rttUsP95: 13_000,
    });
    for (const signed of reports) {
      expect(await recoverSigner(clientReportDigest(domain, signed.report), signed.signature)).toBe(h.qos.key!.address);
    }
    // A rejoin restates the grid without restarting the window.
    h.qos.handleMessage(start(101_000));
    await h.advanceTo(t0 + 160_000);
    expect(h.requests.filter((r) => r.t === MessageType.QosClientReport)).toHaveLength(3);
    h.qos.close();
    await h.advanceTo(t0 + 400_000);
    expect(h.requests.filter((r) => r.t === MessageType.QosClientReport)).toHaveLength(3);
  });

  it('measures input-to-photon from a sent key to the first frame whose marker changed', async () => {
    const h = harness();
    const t0 = h.now();
    h.qos.handleMessage(start(0));
    for (let i = 0; i < 15; i++) h.present(i * 13); // idle: every 15th frame is sampled, which sets the baseline
    h.setPage(200);
    h.qos.inputSent();
    h.present(205); // same colour: not yet
    h.present(221);
    h.setColour({ r: 0, g: 255, b: 0 });
    h.present(237); // changed: 37 ms after the input
    h.setPage(400);
    h.qos.inputSent();
    h.present(416);
    h.setColour({ r: 0, g: 0, b: 255 });
    h.present(432); // 32 ms
    await h.advanceTo(t0 + 60_000);
    const sent = h.requests.find((r) => r.t === MessageType.QosClientReport);
    const report = (sent?.p as SignedClientReport | undefined)?.report;
    expect(report).toMatchObject({ inputSamples: 2, inputToPhotonUsP50: 32_000, inputToPhotonUsP95: 37_000 });
  });
});

/// <reference lib="dom" />
/**
 * What the browser itself negotiated and measured on the pages under test,
 * without the page's cooperation: an init script records every
 * RTCPeerConnection the page creates, and the helpers read their SDP and
 * `getStats()` from Node. Lets the latency bench check, for the baseline and
 * for the real player alike, that playout-delay was negotiated and where the
 * receive-side time goes (jitter buffer, decode).
 */
import { PLAYOUT_DELAY_EXTENSION_URI } from '@frameway/protocol';
import type { Page } from 'playwright-core';
import { pageSource } from './pageSource.js';

const TRACKER_GLOBAL = '__framewayPeerConnections';

/** Runs in the page; self-contained because it is shipped as source text. */
function trackPeerConnectionsInPage(globalName: string): void {
  const scope = globalThis as unknown as Record<string, unknown>;
  if (scope[globalName]) return;
  const connections: RTCPeerConnection[] = [];
  scope[globalName] = connections;
  const Native = globalThis.RTCPeerConnection;
  if (typeof Native !== 'function') return;
  // A subclass keeps `instanceof`, static methods and the prototype chain intact.
  class TrackedPeerConnection extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      connections.push(this);
    }
  }
  globalThis.RTCPeerConnection = TrackedPeerConnection;
}

/** Records every RTCPeerConnection created by `page` from now on (call before navigating). */
export async function trackPeerConnections(page: Page): Promise<void> {
  await page.addInitScript({ content: pageSource(trackPeerConnectionsInPage, TRACKER_GLOBAL) });
}

export interface InboundVideoStats {
  /** The remote description (the server's answer) has an extmap line for playout-delay. */
  playoutDelayInRemoteSdp: boolean;
  /** The browser's receiver lists playout-delay among its negotiated header extensions. */
  playoutDelayInReceiver: boolean;
  codec: string | null;
  framesDecoded: number;
  framesDropped: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
  freezeCount: number;
  /** Mean time a frame waited in the jitter buffer (ms). */
  jitterBufferMs: number;
  /** Mean decode time per frame (ms). */
  decodeMs: number;
  /** Mean receive → decoded time per frame, jitter buffer included (ms). */
  processingMs: number;
  /** Local → remote address of the selected candidate pair. */
  candidatePair: string | null;
}

/** Runs in the page: stats of the first tracked connection that receives video. */
async function readInboundVideoStatsInPage(globalName: string, uri: string): Promise<InboundVideoStats | null> {
  const connections = (globalThis as unknown as Record<string, RTCPeerConnection[] | undefined>)[globalName] ?? [];
  for (const pc of connections) {
    const receiver = pc.getReceivers().find((r) => r.track.kind === 'video');
    if (!receiver) continue;
    const remoteSdp = pc.remoteDescription?.sdp ?? '';
    const report = await pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((entry: Record<string, unknown>) => {
      byId.set(entry.id as string, entry);
    });
    const all = [...byId.values()];
    const inbound = all.find((s) => s.type === 'inbound-rtp' && s.kind === 'video') ?? {};
    const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
    const perFrame = (total: unknown, count: unknown): number =>
      num(count) > 0 ? (num(total) / num(count)) * 1000 : Number.NaN;
    const codec = byId.get(inbound.codecId as string);
    const transport = all.find((s) => s.type === 'transport');
    const pair = byId.get(transport?.selectedCandidatePairId as string);
    const local = byId.get(pair?.localCandidateId as string);
    const remote = byId.get(pair?.remoteCandidateId as string);
    return {
      playoutDelayInRemoteSdp: remoteSdp.split(/\r?\n/).some((l) => l.startsWith('a=extmap:') && l.includes(uri)),
      playoutDelayInReceiver: receiver.getParameters().headerExtensions.some((e) => e.uri === uri),
      codec: codec ? `${codec.mimeType as string} ${(codec.sdpFmtpLine as string | undefined) ?? ''}`.trim() : null,
      framesDecoded: num(inbound.framesDecoded),
      framesDropped: num(inbound.framesDropped),
      packetsLost: num(inbound.packetsLost),
      nackCount: num(inbound.nackCount),
      pliCount: num(inbound.pliCount),
      freezeCount: num(inbound.freezeCount),
      jitterBufferMs: perFrame(inbound.jitterBufferDelay, inbound.jitterBufferEmittedCount),
      decodeMs: perFrame(inbound.totalDecodeTime, inbound.framesDecoded),
      processingMs: perFrame(inbound.totalProcessingDelay, inbound.framesDecoded),
      candidatePair:
        local && remote
          ? `${local.address as string}:${local.port} → ${remote.address as string}:${remote.port}`
          : null,
    };
  }
  return null;
}

/** Reads playout-delay negotiation and inbound video stats of the page's first connection with video. */
export async function collectInboundVideoStats(page: Page): Promise<InboundVideoStats | null> {
  return (await page.evaluate(
    pageSource(readInboundVideoStatsInPage, TRACKER_GLOBAL, PLAYOUT_DELAY_EXTENSION_URI),
  )) as InboundVideoStats | null;
}

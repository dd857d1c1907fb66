import { PLAYOUT_DELAY_EXTENSION_URI } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { FakePeerConnection } from '../testing/FakePeerConnection.js';
import { type IceCandidateMessage, MediaConnection, type MediaConnectionOptions } from './MediaConnection.js';
import { tuneReceiverForLowLatency } from './tuneReceiverForLowLatency.js';

function media(options: Partial<MediaConnectionOptions> = {}) {
  let peer!: FakePeerConnection;
  const connection = new MediaConnection({
    ...options,
    iceServers: [],
    createPeerConnection: (configuration) => {
      peer = new FakePeerConnection(configuration);
      return peer as unknown as RTCPeerConnection;
    },
    createMediaStream: (tracks) => ({ tracks }) as unknown as MediaStream,
  });
  const candidates: IceCandidateMessage[] = [];
  connection.on('localCandidate', (candidate) => candidates.push(candidate));
  return { connection, peer, candidates };
}

describe('MediaConnection', () => {
  it('bundles everything on one transport and exposes both received tracks as one stream', () => {
    const { connection, peer } = media();
    expect(peer.configuration.bundlePolicy).toBe('max-bundle');
    expect((connection.stream as unknown as { tracks: { kind: string }[] }).tracks.map((t) => t.kind)).toEqual([
      'video',
      'audio',
    ]);
    expect(connection.stream).toBe(connection.stream);
  });

  it('skips the per-m-line empty candidates some browsers fire, and ends with one empty candidate', () => {
    const { peer, candidates } = media();
    peer.gather({ candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 });
    peer.gather({ candidate: '', sdpMid: '0', sdpMLineIndex: 0 });
    peer.gather(null);
    expect(candidates).toEqual([{ candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 }, { candidate: '' }]);
  });

  it('reports connection state changes and goes quiet after close', () => {
    const { connection, peer } = media();
    const states: string[] = [];
    connection.on('connectionState', (state) => states.push(state));
    peer.setConnectionState('connecting');
    connection.close();
    connection.close();
    peer.setConnectionState('failed');
    expect(states).toEqual(['connecting']);
    expect(peer.closed).toBe(true);
  });

  it('drops remote candidates after close instead of touching a closed peer', async () => {
    const { connection, peer } = media();
    connection.close();
    await connection.addRemoteCandidate({ candidate: 'candidate:1' });
    expect(peer.addedCandidates).toEqual([]);
  });
});

const CAPABILITIES = {
  codecs: [
    { mimeType: 'video/VP8', clockRate: 90000 },
    { mimeType: 'video/rtx', clockRate: 90000 },
    { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'packetization-mode=1;profile-level-id=42001f' },
    { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'packetization-mode=1;profile-level-id=42e01f' },
    { mimeType: 'video/AV1', clockRate: 90000 },
  ],
};

const OFFER = `v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=extmap:6 ${PLAYOUT_DELAY_EXTENSION_URI}\r\na=mid:0\r\n`;
const ANSWER =
  'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=msid:s v\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=msid:s a\r\n';

describe('MediaConnection playout', () => {
  it('prefers H.264 constrained baseline, then AV1 and VP8, from the receiver capabilities', () => {
    const { peer, connection } = media({ getCapabilities: () => CAPABILITIES });
    const video = peer.transceivers[0];
    expect(video?.codecPreferences?.map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`.trim())).toEqual([
      'video/H264 packetization-mode=1;profile-level-id=42e01f',
      'video/H264 packetization-mode=1;profile-level-id=42001f',
      'video/AV1',
      'video/VP8',
      'video/rtx',
    ]);
    expect(connection.codecPreferences).toHaveLength(5);
    expect(peer.transceivers[1]?.codecPreferences).toBeUndefined();
  });

  it('leaves the codec order alone when the browser offers none of the preferred codecs', () => {
    const { peer } = media({ getCapabilities: () => ({ codecs: [{ mimeType: 'video/H265', clockRate: 90000 }] }) });
    expect(peer.transceivers[0]?.codecPreferences).toBeUndefined();
  });

  it('plays video and audio as separate streams and gives audio a sync group of its own', async () => {
    const { peer, connection } = media();
    const kinds = (stream: MediaStream) =>
      (stream as unknown as { tracks: { kind: string }[] }).tracks.map((t) => t.kind);
    expect(kinds(connection.videoStream)).toEqual(['video']);
    expect(kinds(connection.audioStream)).toEqual(['audio']);
    peer.offerSdp = OFFER;
    expect(await connection.createOffer()).toBe(OFFER);
    await connection.applyAnswer(ANSWER);
    expect(peer.remoteDescription?.sdp).toContain('a=msid:s v\r\n');
    expect(peer.remoteDescription?.sdp).toContain('a=msid:frameway-audio a\r\n');
    for (const t of peer.transceivers)
      expect([t.receiver.jitterBufferTarget, t.receiver.playoutDelayHint]).toEqual([0, 0]);
  });

  it('without low-latency tuning sends no playout-delay extension and keeps the answer and receivers as they are', async () => {
    const { peer, connection } = media({ lowLatency: false });
    peer.offerSdp = OFFER;
    const sent = await connection.createOffer();
    expect(sent).not.toContain(PLAYOUT_DELAY_EXTENSION_URI);
    expect(peer.localDescription?.sdp).toBe(OFFER);
    await connection.applyAnswer(ANSWER);
    expect(peer.remoteDescription?.sdp).toBe(ANSWER);
    for (const t of peer.transceivers) expect(t.receiver.jitterBufferTarget).toBeNull();
  });
});

describe('tuneReceiverForLowLatency', () => {
  it('zeroes the jitter buffer target where the browser has the knob', () => {
    const receiver = { jitterBufferTarget: null as number | null };
    expect(tuneReceiverForLowLatency(receiver)).toBe(true);
    expect(receiver.jitterBufferTarget).toBe(0);
  });

  it('leaves receivers without the knobs alone', () => {
    const receiver = {};
    expect(tuneReceiverForLowLatency(receiver)).toBe(false);
    expect(receiver).toEqual({});
  });

  it('survives a receiver that throws on the knob', () => {
    const receiver = {
      get jitterBufferTarget() {
        return null;
      },
      set jitterBufferTarget(_value: number | null) {
        throw new Error('InvalidStateError');
      },
    };
    expect(tuneReceiverForLowLatency(receiver)).toBe(false);
  });
});

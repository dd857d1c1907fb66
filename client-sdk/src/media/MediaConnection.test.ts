import { describe, expect, it } from 'vitest';
import { FakePeerConnection } from '../testing/FakePeerConnection.js';
import { type IceCandidateMessage, MediaConnection } from './MediaConnection.js';
import { tuneReceiverForLowLatency } from './tuneReceiverForLowLatency.js';

function media() {
  let peer!: FakePeerConnection;
  const connection = new MediaConnection({
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

import { PLAYOUT_DELAY_EXTENSION_URI } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { SEPARATE_AUDIO_STREAM_ID, separateSyncGroups } from './separateSyncGroups.js';
import { stripHeaderExtension } from './stripHeaderExtension.js';

const sdp = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

const SHARED = sdp(
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'a=group:BUNDLE 0 1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:0',
  `a=extmap:6 ${PLAYOUT_DELAY_EXTENSION_URI}`,
  'a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=msid:game video-track',
  'a=ssrc:111 msid:game video-track',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:1',
  'a=msid:game audio-track',
  'a=ssrc:222 cname:x',
  'a=ssrc:222 msid:game audio-track',
);

describe('separateSyncGroups', () => {
  it('moves audio that shares a stream with video into a stream of its own', () => {
    const out = separateSyncGroups(SHARED);
    expect(out).toContain('a=msid:game video-track\r\na=ssrc:111 msid:game video-track');
    expect(out).toContain(`a=msid:${SEPARATE_AUDIO_STREAM_ID} audio-track`);
    expect(out).toContain(`a=ssrc:222 msid:${SEPARATE_AUDIO_STREAM_ID} audio-track`);
    expect(out).toContain('a=ssrc:222 cname:x');
    expect(out.split('\r\n')).toHaveLength(SHARED.split('\r\n').length);
  });

  it('leaves an SDP whose audio is already in another stream, or that has no msid, untouched', () => {
    const separate = SHARED.replaceAll('msid:game audio-track', 'msid:sound audio-track');
    expect(separateSyncGroups(separate)).toBe(separate);
    const none = sdp('v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=inactive');
    expect(separateSyncGroups(none)).toBe(none);
  });

  it('keeps LF-only line endings', () => {
    expect(separateSyncGroups(SHARED.replaceAll('\r\n', '\n'))).not.toContain('\r');
  });
});

describe('stripHeaderExtension', () => {
  it('removes only the named extension', () => {
    const out = stripHeaderExtension(SHARED, PLAYOUT_DELAY_EXTENSION_URI);
    expect(out).not.toContain(PLAYOUT_DELAY_EXTENSION_URI);
    expect(out).toContain('abs-send-time');
    expect(out.split('\r\n')).toHaveLength(SHARED.split('\r\n').length - 1);
  });
});

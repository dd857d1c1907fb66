/** The stream id the audio m-sections get when they shared one with video. */
export const SEPARATE_AUDIO_STREAM_ID = 'frameway-audio';

/**
 * Browsers lip-sync audio and video that the remote description puts in the
 * same stream (`a=msid:<stream> <track>`): video is then held back to match
 * the audio jitter buffer. For a game, video must never wait for audio, so
 * this rewrites the audio m-sections of a remote description to a stream id
 * of their own whenever it equals a video stream id (`a=msid` and the legacy
 * `a=ssrc:<n> msid:` lines). Everything else is left byte for byte.
 */
export function separateSyncGroups(sdp: string, audioStreamId = SEPARATE_AUDIO_STREAM_ID): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections = splitSections(sdp.split(/\r?\n/));
  const videoStreams = new Set<string>();
  for (const section of sections) {
    if (section.kind !== 'video') continue;
    for (const line of section.lines) {
      const stream = streamIdOf(line);
      if (stream !== undefined && stream !== '-') videoStreams.add(stream);
    }
  }
  if (videoStreams.size === 0) return sdp;
  const lines: string[] = [];
  for (const section of sections) {
    for (const line of section.lines) {
      const stream = section.kind === 'audio' ? streamIdOf(line) : undefined;
      lines.push(stream !== undefined && videoStreams.has(stream) ? replaceStreamId(line, audioStreamId) : line);
    }
  }
  return lines.join(eol);
}

interface Section {
  kind: string | undefined;
  lines: string[];
}

function splitSections(lines: readonly string[]): Section[] {
  const sections: Section[] = [{ kind: undefined, lines: [] }];
  for (const line of lines) {
    const media = /^m=(\w+) /.exec(line);
    if (media) sections.push({ kind: media[1], lines: [] });
    (sections.at(-1) as Section).lines.push(line);
  }
  return sections;
}

const MSID = /^a=msid:(\S+)/;
const SSRC_MSID = /^a=ssrc:\d+ msid:(\S+)/;

function streamIdOf(line: string): string | undefined {
  return (MSID.exec(line) ?? SSRC_MSID.exec(line))?.[1];
}

function replaceStreamId(line: string, stream: string): string {
  return line.replace(/^(a=msid:|a=ssrc:\d+ msid:)\S+/, `$1${stream}`);
}

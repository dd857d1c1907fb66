/**
 * Reorders the video m-line of an offer so H.264 constrained baseline
 * (profile-level-id 42e0xx, packetization-mode 1) comes first. werift answers
 * with the offer's first matching codec, and browsers list 42001f (plain
 * baseline) first; our encoders emit constrained baseline, which every WebRTC
 * decoder supports, so that is the profile to negotiate.
 */
export function preferH264ConstrainedBaseline(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const fmtpByPt = new Map<string, string>();
  const rtpmapByPt = new Map<string, string>();
  for (const line of lines) {
    let match = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (match) fmtpByPt.set(match[1]!, match[2]!.toLowerCase());
    match = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line);
    if (match) rtpmapByPt.set(match[1]!, match[2]!.toLowerCase());
  }
  const rank = (pt: string): number => {
    if (rtpmapByPt.get(pt) !== 'h264') return 3;
    const fmtp = fmtpByPt.get(pt) ?? '';
    if (!/packetization-mode=1/.test(fmtp)) return 2;
    return /profile-level-id=42e0/.test(fmtp) ? 0 : 1;
  };
  // werift negotiates in the order of the section's a=rtpmap lines, not the m-line's: reorder both.
  let inVideo = false;
  const rtpmapSlots: number[] = [];
  const reordered = lines.map((line, index) => {
    if (line.startsWith('m=')) inVideo = line.startsWith('m=video');
    if (inVideo && /^a=rtpmap:\d+ /.test(line)) rtpmapSlots.push(index);
    const match = /^(m=video \d+ [A-Z/]+) (.*)$/.exec(line);
    if (!match) return line;
    const pts = match[2]!.split(' ');
    const ordered = pts
      .map((pt, order) => ({ pt, order, rank: rank(pt) }))
      .sort((a, b) => a.rank - b.rank || a.order - b.order)
      .map((entry) => entry.pt);
    return `${match[1]} ${ordered.join(' ')}`;
  });
  const rtpmaps = rtpmapSlots
    .map((index, order) => ({ line: reordered[index]!, order }))
    .sort((a, b) => {
      const ptA = /^a=rtpmap:(\d+)/.exec(a.line)![1]!;
      const ptB = /^a=rtpmap:(\d+)/.exec(b.line)![1]!;
      return rank(ptA) - rank(ptB) || a.order - b.order;
    });
  rtpmapSlots.forEach((index, i) => {
    reordered[index] = rtpmaps[i]!.line;
  });
  return reordered.join(eol);
}

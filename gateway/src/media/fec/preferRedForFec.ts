/**
 * Puts RED first among an offer's video codecs when the offer has both RED
 * and ULPFEC for video (Chromium offers both by default), so that werift,
 * which sends with its first negotiated codec, stamps every video packet with
 * the RED payload type and pairs RTX with RED (`apt` = RED, as libwebrtc does
 * when it sends RED). werift orders the codecs it negotiates by the offer's
 * `a=rtpmap` lines, not by the m-line, so the RED rtpmap line moves before
 * the first one (the m-line is reordered too, for readers). Without both, the
 * offer is returned unchanged.
 */
export function preferRedForFec(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections = sdp.split(/\r?\n(?=m=)/);
  return sections
    .map((section) => {
      if (!section.startsWith('m=video')) return section;
      const pts = videoPayloadTypes(section);
      if (pts.red === undefined || pts.ulpfec === undefined) return section;
      const red = String(pts.red);
      const lines = section.split(/\r?\n/);
      const redLine = lines.findIndex((line) => line.startsWith(`a=rtpmap:${red} `));
      const [redRtpmap] = lines.splice(redLine, 1);
      const firstRtpmap = lines.findIndex((line) => line.startsWith('a=rtpmap:'));
      if (redRtpmap !== undefined) lines.splice(firstRtpmap, 0, redRtpmap);
      const match = /^(m=video \d+ [A-Z/]+) (.*)$/.exec(lines[0] ?? '');
      if (match) {
        const others = (match[2] ?? '').split(' ').filter((pt) => pt !== red);
        lines[0] = `${match[1]} ${[red, ...others].join(' ')}`;
      }
      return lines.join(eol);
    })
    .join(eol);
}

/** RED and ULPFEC payload types of an SDP media section (the first of each). */
export function videoPayloadTypes(section: string): { red?: number; ulpfec?: number } {
  const out: { red?: number; ulpfec?: number } = {};
  for (const line of section.split(/\r?\n/)) {
    const match = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line);
    if (!match) continue;
    const name = match[2]?.toLowerCase();
    if (name === 'red') out.red ??= Number(match[1]);
    else if (name === 'ulpfec') out.ulpfec ??= Number(match[1]);
  }
  return out;
}

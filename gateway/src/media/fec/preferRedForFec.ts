/**
 * Moves RED to the front of an offer's video m-line when the offer has both
 * RED and ULPFEC for video (Chromium offers both by default), so that werift,
 * which answers with the offer's codec order and sends with its first codec,
 * stamps every video packet with the RED payload type and pairs RTX with RED
 * (`apt` = RED, as libwebrtc does when it sends RED). Without both, the offer
 * is returned unchanged.
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
      return section
        .split(/\r?\n/)
        .map((line, index) => {
          if (index !== 0) return line;
          const match = /^(m=video \d+ [A-Z/]+) (.*)$/.exec(line);
          if (!match) return line;
          const others = (match[2] ?? '').split(' ').filter((pt) => pt !== red);
          return `${match[1]} ${[red, ...others].join(' ')}`;
        })
        .join(eol);
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

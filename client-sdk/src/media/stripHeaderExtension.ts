/**
 * Removes an RTP header extension (by URI) from every m-section of an SDP.
 * Used on the copy of the offer sent to the gateway, never on the local
 * description: an answer without the extension is a valid subset of the offer.
 *
 * @example stripHeaderExtension(offer, PLAYOUT_DELAY_EXTENSION_URI)
 */
export function stripHeaderExtension(sdp: string, uri: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(/\r?\n/)
    .filter((line) => {
      const match = /^a=extmap:\d+(?:\/\w+)? (\S+)/.exec(line);
      return !match || match[1] !== uri;
    })
    .join(eol);
}

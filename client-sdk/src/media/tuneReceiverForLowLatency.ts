/** Receiver knobs for playout delay; `playoutDelayHint` is Chrome's older, non-standard name (seconds). */
interface TunableReceiver {
  jitterBufferTarget?: number | null;
  playoutDelayHint?: number | null;
}

/**
 * Asks the receiver to play frames out as soon as they are decodable: a
 * zero jitter-buffer target where the browser supports it. Returns whether
 * any knob was available.
 */
export function tuneReceiverForLowLatency(receiver: object): boolean {
  const tunable = receiver as TunableReceiver;
  let tuned = false;
  for (const knob of ['jitterBufferTarget', 'playoutDelayHint'] as const) {
    if (!(knob in tunable)) continue;
    try {
      tunable[knob] = 0;
      tuned = true;
    } catch {
      // Some versions throw while the track is not live yet; the next call (on track) retries.
    }
  }
  return tuned;
}

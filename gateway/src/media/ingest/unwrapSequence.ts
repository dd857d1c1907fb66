const SEQ_MODULO = 0x1_0000;
const HALF_SEQ = 0x8000;

/**
 * The extended (unwrapped) value of the 16-bit RTP sequence number `seq`: of
 * the values congruent to it modulo 2^16, the one nearest `reference` (an
 * extended value already seen, usually the highest). This is RFC 3711
 * §3.3.1's roll-over-counter guess (ROC − 1, ROC or ROC + 1), written as a
 * signed 16-bit distance. The result is negative for a packet from before the
 * stream's first sequence number when that sat just after 0.
 *
 * @example unwrapSequence(2, 65_534) === 65_538 // seq 2 after the wrap: ROC 1
 */
export function unwrapSequence(seq: number, reference: number): number {
  const distance = ((seq - (reference % SEQ_MODULO) + HALF_SEQ) & 0xffff) - HALF_SEQ;
  return reference + distance;
}

/** The 16-bit sequence number carried on the wire for an extended value. */
export function wireSequence(extended: number): number {
  return ((extended % SEQ_MODULO) + SEQ_MODULO) % SEQ_MODULO;
}

/** The roll-over counter (RFC 3711 ROC) of an extended sequence number. */
export function rolloverCounter(extended: number): number {
  return Math.floor(extended / SEQ_MODULO);
}

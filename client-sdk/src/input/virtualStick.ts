/**
 * Where a finger on an on-screen stick points: the offset from the stick's
 * centre as a fraction of its radius, clamped to the unit circle (browser
 * convention: x right, y down). `mapStandardGamepad.stick()` turns it into
 * protocol axes.
 */
export function virtualStick(dx: number, dy: number, radius: number): [x: number, y: number] {
  if (!(radius > 0) || !Number.isFinite(dx) || !Number.isFinite(dy)) return [0, 0];
  const x = dx / radius;
  const y = dy / radius;
  const length = Math.hypot(x, y);
  return length > 1 ? [x / length, y / length] : [x, y];
}

import { NetworkCoordinates } from '@frameway/gateway';
import { createRandom } from './placement/world.js';
const random = createRandom(3);
const N = 500;
const xs = Array.from({ length: N }, () => [random() * 200, random() * 200]);
const hs = Array.from({ length: N }, () => random() * 10);
const rtt = (a: number, b: number) => Math.hypot(xs[a]![0]! - xs[b]![0]!, xs[a]![1]! - xs[b]![1]!) + hs[a]! + hs[b]!;
const c = new NetworkCoordinates({ random });
for (let i = 0; i < N; i++) c.ensureSlot(`n${i}`);
for (let round = 0; round < 64; round++) {
  for (let i = 0; i < N; i++) for (let k = 0; k < 4; k++) { const j = Math.floor(random() * N); if (j !== i) c.observe(`n${i}`, `n${j}`, rtt(i, j)); }
  if (round % 8 === 7) { const e: number[] = []; for (let t = 0; t < 2000; t++) { const a = Math.floor(random() * N), b = Math.floor(random() * N); if (a !== b) e.push(Math.abs(c.predictBetween(a, b) - rtt(a, b)) / rtt(a, b)); } e.sort((x, y) => x - y); console.log(round + 1, e[e.length >> 1]!.toFixed(3), c.get('n0')); }
}

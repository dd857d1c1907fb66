import { greatCircleKm } from './world.js';

const CELL_DEG = 2;
const ROWS = 180 / CELL_DEG;
const COLS = 360 / CELL_DEG;
const KM_PER_DEG = 111.19;

/**
 * Nodes bucketed by 2°×2° latitude/longitude cells: what the benchmark's
 * oracle (true RTT to every node) and geo-nearest baseline use to avoid
 * scanning 40,000 nodes per player. Knows nothing the placer is not allowed
 * to know only because the placer never calls it.
 */
export class GeoGrid {
  readonly #cells: Int32Array[];
  readonly #lat: Float64Array;
  readonly #lon: Float64Array;

  constructor(lat: Float64Array, lon: Float64Array, count: number) {
    this.#lat = lat;
    this.#lon = lon;
    const buckets: number[][] = Array.from({ length: ROWS * COLS }, () => []);
    for (let i = 0; i < count; i++) buckets[cellOf(lat[i]!, lon[i]!)]!.push(i);
    this.#cells = buckets.map((b) => Int32Array.from(b));
  }

  /**
   * Visits nodes in rings of cells around a point, nearest ring first, up to
   * `maxKm`. `visit` returns true to stop. Each ring is given with a lower bound
   * of the distance of anything in it.
   */
  visitNear(latRad: number, lonRad: number, maxKm: number, visit: (node: number, ringMinKm: number) => boolean): void {
    const row = rowOf(latRad);
    const col = colOf(lonRad);
    const latDeg = (latRad * 180) / Math.PI;
    for (let ring = 0; ; ring++) {
      const ringMinKm =
        Math.max(0, ring - 1) *
        CELL_DEG *
        KM_PER_DEG *
        Math.max(0.05, Math.cos(toRad(Math.min(85, Math.abs(latDeg) + ring * CELL_DEG))));
      if (ringMinKm > maxKm || ring > COLS / 2) return;
      for (let dr = -ring; dr <= ring; dr++) {
        const r = row + dr;
        if (r < 0 || r >= ROWS) continue;
        for (let dc = -ring; dc <= ring; dc++) {
          if (Math.abs(dr) !== ring && Math.abs(dc) !== ring) continue; // ring border only
          const c = (((col + dc) % COLS) + COLS) % COLS;
          const cell = this.#cells[r * COLS + c]!;
          for (let i = 0; i < cell.length; i++) if (visit(cell[i]!, ringMinKm)) return;
        }
      }
    }
  }

  /** The geographically nearest node passing `accept`, by great circle. */
  nearest(latRad: number, lonRad: number, accept: (node: number) => boolean): number | undefined {
    let best: number | undefined;
    let bestKm = Number.POSITIVE_INFINITY;
    this.visitNear(latRad, lonRad, 20_100, (node, ringMinKm) => {
      if (ringMinKm > bestKm) return true;
      if (!accept(node)) return false;
      const km = greatCircleKm(latRad, lonRad, this.#lat[node]!, this.#lon[node]!);
      if (km < bestKm) {
        bestKm = km;
        best = node;
      }
      return false;
    });
    return best;
  }
}

function cellOf(lat: number, lon: number): number {
  return rowOf(lat) * COLS + colOf(lon);
}

function rowOf(latRad: number): number {
  return Math.min(ROWS - 1, Math.max(0, Math.floor(((latRad * 180) / Math.PI + 90) / CELL_DEG)));
}

function colOf(lonRad: number): number {
  const deg = ((((lonRad * 180) / Math.PI + 180) % 360) + 360) % 360;
  return Math.min(COLS - 1, Math.floor(deg / CELL_DEG));
}

function toRad(deg: number): number {
  return (deg * Math.PI) / 180;
}

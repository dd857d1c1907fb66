/**
 * A snapshot index of node coordinates: slots bucketed by the first two
 * coordinate dimensions into square cells. Distance in two of the dimensions,
 * plus the heights, never exceeds the full predicted RTT, so a ring of cells
 * can be skipped once its lower bound passes the k-th best found: the nearest
 * nodes of a player are found by looking at a few cells instead of 40,000
 * nodes. Coordinates keep moving after a snapshot; `slackMs` absorbs that
 * drift, and the owner rebuilds the grid every few tens of seconds.
 */
export class CoordinateGrid {
  /** Slots covered; newer slots must be scanned by the caller. */
  readonly count: number;
  readonly #cellMs: number;
  readonly #minX: number;
  readonly #minY: number;
  readonly #cols: number;
  readonly #rows: number;
  readonly #cellStart: Int32Array;
  readonly #cellSlots: Int32Array;
  readonly #cellMinHeight: Float64Array;
  /** Per cell, [min, max] of each dimension past the first two: tightens the lower bound a lot. */
  readonly #cellRanges: Float64Array;
  readonly #extraDims: number;
  readonly #minHeight: number;
  readonly #slackMs: number;

  private constructor(
    count: number,
    cellMs: number,
    bounds: { minX: number; minY: number; cols: number; rows: number },
    cellStart: Int32Array,
    cellSlots: Int32Array,
    cellMinHeight: Float64Array,
    cellRanges: Float64Array,
    extraDims: number,
    minHeight: number,
    slackMs: number,
  ) {
    this.count = count;
    this.#cellMs = cellMs;
    this.#minX = bounds.minX;
    this.#minY = bounds.minY;
    this.#cols = bounds.cols;
    this.#rows = bounds.rows;
    this.#cellStart = cellStart;
    this.#cellSlots = cellSlots;
    this.#cellMinHeight = cellMinHeight;
    this.#cellRanges = cellRanges;
    this.#extraDims = extraDims;
    this.#minHeight = minHeight;
    this.#slackMs = slackMs;
  }

  /**
   * Buckets slots [0, count) of a flat coordinate array (`stride` numbers per
   * slot: `dims` ≥ 2 vector components, then the height). Slots whose first
   * component is NaN (no position) are left out.
   */
  static build(
    source: { buffer: Float64Array; stride: number; dims: number },
    count: number,
    cellMs = 2,
    slackMs = 2,
  ): CoordinateGrid {
    const { buffer, stride, dims } = source;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    let located = 0;
    for (let slot = 0; slot < count; slot++) {
      const x = buffer[slot * stride]!;
      const y = buffer[slot * stride + 1]!;
      if (Number.isNaN(x)) continue;
      located++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (located === 0) {
      minX = minY = 0;
      maxX = maxY = 0;
    }
    // Keep the cell count bounded whatever the spread of the space.
    const span = Math.max(maxX - minX, maxY - minY, cellMs);
    const cell = Math.max(cellMs, span / 256);
    const cols = Math.floor((maxX - minX) / cell) + 1;
    const rows = Math.floor((maxY - minY) / cell) + 1;
    const cells = cols * rows;
    const cellOf = new Int32Array(count).fill(-1);
    const counts = new Int32Array(cells + 1);
    const cellMinHeight = new Float64Array(cells).fill(Number.POSITIVE_INFINITY);
    const extraDims = Math.min(dims, 2 + MAX_EXTRA_DIMS) - 2;
    const cellRanges = new Float64Array(cells * extraDims * 2);
    for (let i = 0; i < cellRanges.length; i += 2) {
      cellRanges[i] = Number.POSITIVE_INFINITY;
      cellRanges[i + 1] = Number.NEGATIVE_INFINITY;
    }
    let minHeight = Number.POSITIVE_INFINITY;
    for (let slot = 0; slot < count; slot++) {
      const o = slot * stride;
      if (Number.isNaN(buffer[o]!)) continue;
      const c = Math.floor((buffer[o]! - minX) / cell) + Math.floor((buffer[o + 1]! - minY) / cell) * cols;
      cellOf[slot] = c;
      counts[c + 1]!++;
      for (let d = 0; d < extraDims; d++) {
        const v = buffer[o + 2 + d]!;
        const r = (c * extraDims + d) * 2;
        if (v < cellRanges[r]!) cellRanges[r] = v;
        if (v > cellRanges[r + 1]!) cellRanges[r + 1] = v;
      }
      const h = buffer[o + dims]!;
      if (h < cellMinHeight[c]!) cellMinHeight[c] = h;
      if (h < minHeight) minHeight = h;
    }
    for (let c = 0; c < cells; c++) counts[c + 1]! += counts[c]!;
    const cellStart = counts;
    const fill = cellStart.slice(0, cells);
    const cellSlots = new Int32Array(located);
    for (let slot = 0; slot < count; slot++) if (cellOf[slot]! >= 0) cellSlots[fill[cellOf[slot]!]!++] = slot;
    return new CoordinateGrid(
      count,
      cell,
      { minX, minY, cols, rows },
      cellStart,
      cellSlots,
      cellMinHeight,
      cellRanges,
      extraDims,
      Number.isFinite(minHeight) ? minHeight : 0,
      slackMs,
    );
  }

  /**
   * Calls `visit(slot)` for the slots of every cell that could hold a node
   * closer to `point` than `bound()` (re-read after every cell), nearest
   * rings first.
   */
  search(point: Float64Array, dims: number, bound: () => number, visit: (slot: number) => void): void {
    const cell = this.#cellMs;
    const px = point[0]!;
    const py = point[1]!;
    const ph = point[dims]!;
    const slack = this.#slackMs;
    const cx = clamp(Math.floor((px - this.#minX) / cell), 0, this.#cols - 1);
    const cy = clamp(Math.floor((py - this.#minY) / cell), 0, this.#rows - 1);
    // How far outside the grid the point lies adds to every ring's distance.
    const outside = Math.max(0, Math.hypot(outsideBy(px, this.#minX, this.#cols * cell), outsideBy(py, this.#minY, this.#rows * cell)));
    const maxRing = Math.max(this.#cols, this.#rows);
    for (let ring = 0; ring <= maxRing; ring++) {
      const ringLowerBound = Math.max(outside, (ring - 1) * cell) + this.#minHeight + ph - slack;
      if (ringLowerBound >= bound()) return;
      const y0 = cy - ring;
      const y1 = cy + ring;
      for (let y = Math.max(0, y0); y <= Math.min(this.#rows - 1, y1); y++) {
        const edgeRow = y === y0 || y === y1;
        const step = edgeRow ? 1 : 2 * ring;
        for (let x = cx - ring; x <= cx + ring; x += Math.max(1, step)) {
          if (x < 0 || x >= this.#cols) continue;
          const c = x + y * this.#cols;
          const start = this.#cellStart[c]!;
          const end = this.#cellStart[c + 1]!;
          if (start === end) continue;
          const dx = gap(px, this.#minX + x * cell, cell);
          const dy = gap(py, this.#minY + y * cell, cell);
          let sq = dx * dx + dy * dy;
          for (let d = 0; d < this.#extraDims; d++) {
            const r = (c * this.#extraDims + d) * 2;
            const g = gap(point[2 + d]!, this.#cellRanges[r]!, this.#cellRanges[r + 1]! - this.#cellRanges[r]!);
            sq += g * g;
          }
          if (Math.sqrt(sq) + this.#cellMinHeight[c]! + ph - slack >= bound()) continue;
          for (let i = start; i < end; i++) visit(this.#cellSlots[i]!);
        }
      }
    }
  }
}

/** Dimensions past the first two whose per-cell range is kept. */
const MAX_EXTRA_DIMS = 2;

function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

/** Distance from `p` to the interval [start, start + size]. */
function gap(p: number, start: number, size: number): number {
  if (p < start) return start - p;
  if (p > start + size) return p - start - size;
  return 0;
}

function outsideBy(p: number, start: number, size: number): number {
  return gap(p, start, size);
}

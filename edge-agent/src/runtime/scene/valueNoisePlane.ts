export interface NoiseOctave {
  /** Distance between random lattice points, in pixels: bigger is smoother. */
  spacing: number;
  /** Peak deviation this octave adds around the centre. */
  amplitude: number;
}

export interface ValueNoisePlaneOptions {
  width: number;
  height: number;
  /** PRNG seed: the same options give the same bytes. */
  seed: number;
  /** Mean sample value. */
  centre: number;
  octaves: readonly NoiseOctave[];
  /** Peak per-pixel (white) noise added on top of the octaves. */
  grain: number;
  /** Samples are clamped to [min, max]. */
  min: number;
  max: number;
}

/**
 * One 8-bit plane of seeded multi-octave value noise (smoothstep-interpolated
 * random lattices plus per-pixel grain): smooth gradients, blobs and fine
 * detail at once, like the textures of a real game. Deterministic for a seed.
 */
export function valueNoisePlane(options: ValueNoisePlaneOptions): Uint8Array {
  const { width, height, centre, grain, min, max } = options;
  const random = mulberry32(options.seed);
  const octaves = options.octaves.map((octave) => new Octave(octave, width, height, random));
  // xorshift32 for the grain: one cheap step per pixel.
  let noise = (Math.floor(random() * 0xffffffff) | 1) >>> 0;
  const sum = new Float32Array(width);
  const plane = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    sum.fill(centre);
    for (const octave of octaves) octave.addRow(y, sum);
    const start = y * width;
    for (let x = 0; x < width; x++) {
      noise ^= noise << 13;
      noise ^= noise >>> 17;
      noise ^= noise << 5;
      const value = Math.round((sum[x] as number) + ((noise & 0xffff) / 32768 - 1) * grain);
      plane[start + x] = value < min ? min : value > max ? max : value;
    }
  }
  return plane;
}

/** One octave: a random lattice, blended vertically once per row, then horizontally per pixel from tables. */
class Octave {
  readonly #spacing: number;
  readonly #latticeWidth: number;
  readonly #lattice: Float32Array;
  readonly #cell: Int32Array;
  readonly #weight: Float32Array;
  readonly #row: Float32Array;

  constructor({ spacing, amplitude }: NoiseOctave, width: number, height: number, random: () => number) {
    this.#spacing = spacing;
    this.#latticeWidth = Math.ceil(width / spacing) + 2;
    this.#lattice = new Float32Array(this.#latticeWidth * (Math.ceil(height / spacing) + 2));
    for (let i = 0; i < this.#lattice.length; i++) this.#lattice[i] = (random() * 2 - 1) * amplitude;
    this.#cell = new Int32Array(width);
    this.#weight = new Float32Array(width);
    for (let x = 0; x < width; x++) {
      this.#cell[x] = Math.floor(x / spacing);
      this.#weight[x] = smoothstep((x % spacing) / spacing);
    }
    this.#row = new Float32Array(this.#latticeWidth);
  }

  /** Adds this octave's row `y` to `sum`. */
  addRow(y: number, sum: Float32Array): void {
    const lattice = this.#lattice;
    const row = this.#row;
    const cell = this.#cell;
    const weight = this.#weight;
    const top = Math.floor(y / this.#spacing) * this.#latticeWidth;
    const bottom = top + this.#latticeWidth;
    const t = smoothstep((y % this.#spacing) / this.#spacing);
    for (let i = 0; i < row.length; i++) {
      const a = lattice[top + i] as number;
      row[i] = a + ((lattice[bottom + i] as number) - a) * t;
    }
    for (let x = 0; x < sum.length; x++) {
      const c = cell[x] as number;
      const a = row[c] as number;
      sum[x] = (sum[x] as number) + a + ((row[c + 1] as number) - a) * (weight[x] as number);
    }
  }
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Small, fast, seedable PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

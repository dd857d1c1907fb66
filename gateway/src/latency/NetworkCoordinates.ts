import {
  type Coordinate,
  coordinateDistance,
  coordinateStride,
  DEFAULT_VIVALDI_PARAMS,
  readCoordinate,
  type VivaldiParams,
  vivaldiUpdate,
  writeCoordinate,
} from '@frameway/protocol';

/** Id of the gateway's own coordinate (agents probe it too). Agent ids may not start with `fw:`. */
export const GATEWAY_COORDINATE_ID = 'fw:gateway';

/** Fibre carries light at about 200 km per ms (refractive index ≈ 1.47), one way. */
const FIBRE_KM_PER_MS = 200;
const EARTH_RADIUS_KM = 6371;
/** Typical ratio of real routes to the great circle; used only to seed coordinates from lat/lon. */
const SEED_ROUTE_INFLATION = 1.5;
/** A seeded coordinate is a guess: high error, so the first measurements move it freely. */
const SEED_ERROR = 0.9;

export interface NetworkCoordinatesOptions {
  params?: Readonly<VivaldiParams>;
  random?: () => number;
  initialCapacity?: number;
  /**
   * Samples longer than this move coordinates proportionally less
   * (weight = nearRttMs / rtt): placement lives or dies by the 5–40 ms
   * neighbourhood, and a 5 % error on a 200 ms sample would otherwise shake
   * every node by several ms. 0 turns the weighting off (plain Vivaldi).
   */
  nearRttMs?: number;
}

/**
 * The network coordinates of every node (and of the gateway), learned with
 * Vivaldi from every RTT measured between them. One flat Float64Array,
 * `stride` numbers per slot; a node keeps its slot for the process's life,
 * so placement can index side arrays by the same slot.
 */
export class NetworkCoordinates {
  readonly params: Readonly<VivaldiParams>;
  readonly dims: number;
  readonly stride: number;
  readonly #random: () => number;
  readonly #nearRttMs: number;
  readonly #slots = new Map<string, number>();
  readonly #ids: string[] = [];
  #buffer: Float64Array;
  /** 1 for slots whose coordinate came from measurements (a geo seed is only a guess). */
  #learned: Uint8Array;
  #capacity: number;
  #updates = 0;

  constructor(options: NetworkCoordinatesOptions = {}) {
    this.params = options.params ?? DEFAULT_VIVALDI_PARAMS;
    this.dims = this.params.dims;
    this.stride = coordinateStride(this.dims);
    this.#random = options.random ?? Math.random;
    this.#nearRttMs = options.nearRttMs ?? 40;
    this.#capacity = Math.max(8, options.initialCapacity ?? 64);
    this.#buffer = new Float64Array(this.#capacity * this.stride);
    this.#learned = new Uint8Array(this.#capacity);
  }

  /** The coordinate array; re-read it after `ensureSlot` (it grows by reallocation). */
  get buffer(): Float64Array {
    return this.#buffer;
  }

  /** Number of slots in use. */
  get size(): number {
    return this.#ids.length;
  }

  /** Slots allocated so far, i.e. the length side arrays must have. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Vivaldi updates applied since start (diagnostics). */
  get updates(): number {
    return this.#updates;
  }

  slotOf(id: string): number | undefined {
    return this.#slots.get(id);
  }

  idOf(slot: number): string | undefined {
    return this.#ids[slot];
  }

  /**
   * The slot of `id`, allocating one when new: seeded from lat/lon when known
   * (a coarse guess at fibre speed), at the origin with maximal error otherwise.
   */
  ensureSlot(id: string, seed?: { lat?: number | undefined; lon?: number | undefined }): number {
    const existing = this.#slots.get(id);
    if (existing !== undefined) return existing;
    const slot = this.#ids.length;
    if (slot >= this.#capacity) this.#grow();
    this.#ids.push(id);
    this.#slots.set(id, slot);
    const offset = slot * this.stride;
    this.#buffer.fill(0, offset, offset + this.stride);
    this.#learned[slot] = 0;
    if (seed?.lat !== undefined && seed.lon !== undefined) {
      this.#writeGeoSeed(offset, seed.lat, seed.lon);
    } else {
      this.#buffer[offset + this.dims] = this.params.heightMinMs;
      this.#buffer[offset + this.dims + 1] = this.params.maxError;
    }
    return slot;
  }

  get(id: string): Coordinate | undefined {
    const slot = this.#slots.get(id);
    return slot === undefined ? undefined : readCoordinate(this.#buffer, slot * this.stride, this.dims);
  }

  /** Sets a coordinate (restored from the fleet store). */
  set(id: string, coordinate: Coordinate): void {
    const slot = this.ensureSlot(id);
    writeCoordinate(this.#buffer, slot * this.stride, coordinate, this.dims);
    this.#learned[slot] = coordinate.error < this.params.maxError ? 1 : 0;
  }

  /**
   * True once the coordinate has learned from measurements (or was restored
   * after learning). A coordinate seeded from lat/lon is not known: its
   * error starts below the maximum, but nothing was measured.
   */
  isKnown(slot: number): boolean {
    return this.#learned[slot] === 1;
  }

  /** Relative error estimate of a slot's coordinate. */
  errorOf(slot: number): number {
    return this.#buffer[slot * this.stride + this.dims + 1]!;
  }

  /**
   * Feeds one measured RTT between two known ids: both coordinates take a
   * Vivaldi step towards each other's view. Returns the prediction error
   * before the step (ms), NaN when the sample was ignored.
   */
  observe(a: string, b: string, rttMs: number): number {
    const sa = this.#slots.get(a);
    const sb = this.#slots.get(b);
    if (sa === undefined || sb === undefined || sa === sb) return Number.NaN;
    const buffer = this.#buffer;
    const weight = this.#nearRttMs > 0 ? Math.min(1, this.#nearRttMs / rttMs) : 1;
    const error = vivaldiUpdate(
      buffer,
      sa * this.stride,
      buffer,
      sb * this.stride,
      rttMs,
      this.params,
      this.#random,
      weight,
    );
    vivaldiUpdate(buffer, sb * this.stride, buffer, sa * this.stride, rttMs, this.params, this.#random, weight);
    if (!Number.isNaN(error)) {
      this.#updates += 2;
      this.#learned[sa] = 1;
      this.#learned[sb] = 1;
    }
    return error;
  }

  /**
   * A sample seen from one side only (a player measured a node): only the
   * node moves, by `weight` of a normal step. Players are transient and their
   * own coordinates are fitted, so they nudge, never drag, the fleet.
   */
  observeFrom(point: Float64Array, id: string, rttMs: number, weight: number): void {
    const slot = this.#slots.get(id);
    if (slot === undefined) return;
    const error = vivaldiUpdate(this.#buffer, slot * this.stride, point, 0, rttMs, this.params, this.#random, weight);
    if (Number.isNaN(error)) return;
    this.#updates++;
    this.#learned[slot] = 1;
  }

  /** Predicted RTT between a free-standing coordinate (a player's) and a slot. */
  predict(point: Float64Array, slot: number): number {
    return coordinateDistance(point, 0, this.#buffer, slot * this.stride, this.dims);
  }

  /** Predicted RTT between two slots. */
  predictBetween(a: number, b: number): number {
    return coordinateDistance(this.#buffer, a * this.stride, this.#buffer, b * this.stride, this.dims);
  }

  #grow(): void {
    this.#capacity *= 2;
    const next = new Float64Array(this.#capacity * this.stride);
    next.set(this.#buffer);
    this.#buffer = next;
    const learned = new Uint8Array(this.#capacity);
    learned.set(this.#learned);
    this.#learned = learned;
  }

  /** A point on a sphere whose chord lengths are fibre RTTs: a consistent first guess for located nodes. */
  #writeGeoSeed(offset: number, lat: number, lon: number): void {
    const phi = (lat * Math.PI) / 180;
    const lambda = (lon * Math.PI) / 180;
    const radiusMs = ((2 * EARTH_RADIUS_KM) / FIBRE_KM_PER_MS) * SEED_ROUTE_INFLATION;
    const dims = this.dims;
    const axes = [Math.cos(phi) * Math.cos(lambda), Math.cos(phi) * Math.sin(lambda), Math.sin(phi)];
    for (let i = 0; i < dims; i++) this.#buffer[offset + i] = i < 3 ? radiusMs * axes[i]! : 0;
    this.#buffer[offset + dims] = Math.max(this.params.heightMinMs, 1);
    this.#buffer[offset + dims + 1] = SEED_ERROR;
  }
}

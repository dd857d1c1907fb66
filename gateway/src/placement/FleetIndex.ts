import { RuntimeKind, VideoCodec } from '@frameway/protocol';
import type { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import type { NodeRecord } from '../registry/NodeRecord.js';

const RUNTIME_BITS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(RuntimeKind).map((kind, i) => [kind, 1 << i]),
);
const CODEC_BITS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(VideoCodec).map((codec, i) => [codec, 1 << (8 + i)]),
);
const HARDWARE_BITS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(VideoCodec).map((codec, i) => [codec, 1 << (16 + i)]),
);

/** Capability bits a session needs: its runtime and an encoder for its codec. */
export function capabilityMask(runtime: string, codec: string): number {
  return (RUNTIME_BITS[runtime] ?? 0) | (CODEC_BITS[codec] ?? 0);
}

/** Why a node cannot take a session, in the order the constraints are checked. */
export type ConstraintRejection =
  | 'not_up'
  | 'draining'
  | 'stake_too_low'
  | 'capability_missing'
  | 'region_not_allowed'
  | 'full'
  | 'over_budget'
  | 'latency_unknown';

export interface FleetIndexOptions {
  coordinates: NetworkCoordinates;
  /** Nodes claiming less stake than this are not placed on. */
  minStakeWei?: bigint;
}

/**
 * The registry's placement-relevant state in flat arrays indexed by the
 * coordinate slot: health, capability bits, free slots, region, reputation,
 * price. Placement scans 40,000 nodes in well under a millisecond because it
 * reads these instead of walking objects. Kept in step by `sync()` on every
 * registry change.
 */
export class FleetIndex {
  readonly coordinates: NetworkCoordinates;
  /** Called when a slot gains its first free slot or loses its last one (nearest-node indexes keep counts). */
  onAvailability: ((slot: number, hasFree: boolean) => void) | undefined;
  readonly #minStake: bigint;
  #length = 0;
  #indexed = new Uint8Array(0);
  #status = new Uint8Array(0);
  #caps = new Uint32Array(0);
  #free = new Int32Array(0);
  #capacity = new Int32Array(0);
  #region = new Int32Array(0);
  #reputation = new Float32Array(0);
  #price = new Float64Array(0);
  #probeUrls: (string | undefined)[] = [];
  /** Declared locations as points on a sphere (ms of fibre RTT, like a geo-seeded coordinate); NaN = unknown. */
  #geo = new Float64Array(0);
  readonly #regionIds = new Map<string, number>();
  #epoch = 0;
  #nodes = 0;

  constructor(options: FleetIndexOptions) {
    this.coordinates = options.coordinates;
    this.#minStake = options.minStakeWei ?? 0n;
  }

  /** Changes whenever a node joins, leaves or changes health; caches keyed on it (landmarks) refresh. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Slots in use (nodes and the gateway). */
  get length(): number {
    return this.#length;
  }

  /** Nodes indexed. */
  get nodeCount(): number {
    return this.#nodes;
  }

  /** Mirrors one registry record. */
  sync(node: Readonly<NodeRecord>): void {
    const slot = this.coordinates.ensureSlot(node.nodeId, node.location);
    this.#ensure(this.coordinates.capacity);
    if (slot >= this.#length) this.#length = slot + 1;
    if (this.#indexed[slot] === 0) {
      this.#indexed[slot] = 1;
      this.#nodes++;
      this.#epoch++;
    }
    const status = statusCode(node, this.#minStake);
    if (this.#status[slot] !== status || this.#probeUrls[slot] !== node.probeUrl) this.#epoch++;
    this.#status[slot] = status;
    let caps = 0;
    for (const runtime of node.runtimes) caps |= RUNTIME_BITS[runtime] ?? 0;
    for (const encoder of node.encoders) {
      caps |= CODEC_BITS[encoder.codec] ?? 0;
      if (encoder.hardware) caps |= HARDWARE_BITS[encoder.codec] ?? 0;
    }
    this.#caps[slot] = caps;
    this.#capacity[slot] = node.capacity;
    this.#setFree(slot, node.capacity - node.reservedSessions);
    this.#region[slot] = node.region === undefined ? -1 : this.regionId(node.region);
    this.#reputation[slot] = node.reputation;
    this.#price[slot] = node.pricePerBlock;
    this.#probeUrls[slot] = node.probeUrl;
    const geoAt = slot * GEO_STRIDE;
    const lastMile = this.#geo[geoAt + GEO_DIMS]!;
    const lastMileError = this.#geo[geoAt + GEO_DIMS + 1]!;
    writeGeoPoint(this.#geo, geoAt, node.location.lat, node.location.lon);
    // Keep the height `syncGeoHeights` copied in: a heartbeat resetting it to 0 would put the node
    // nearer than the geo index's snapshot bounds allow, and geoShortlist would pass over it.
    if (!Number.isNaN(this.#geo[geoAt]!) && !Number.isNaN(lastMile)) {
      this.#geo[geoAt + GEO_DIMS] = lastMile;
      this.#geo[geoAt + GEO_DIMS + 1] = lastMileError;
    }
  }

  /**
   * Copies every located node's coordinate height (its learned access delay)
   * into the geographic space, so distances there estimate RTTs, last miles
   * included.
   */
  syncGeoHeights(): void {
    const coordinates = this.coordinates;
    const buffer = coordinates.buffer;
    for (let slot = 0; slot < this.#length; slot++) {
      const o = slot * GEO_STRIDE;
      if (Number.isNaN(this.#geo[o]!)) continue;
      this.#geo[o + GEO_DIMS] = buffer[slot * coordinates.stride + coordinates.dims]!;
      this.#geo[o + GEO_DIMS + 1] = 0.5;
    }
  }

  /** Declared node locations in the layout `CoordinateGrid` and `predict` expect (3 dims, heights from `syncGeoHeights`). */
  get geo(): { buffer: Float64Array; stride: number; dims: number } {
    return { buffer: this.#geo, stride: GEO_STRIDE, dims: GEO_DIMS };
  }

  /** The interned number of a region name. */
  regionId(region: string): number {
    let id = this.#regionIds.get(region);
    if (id === undefined) {
      id = this.#regionIds.size;
      this.#regionIds.set(region, id);
    }
    return id;
  }

  /** Regions as interned numbers; unknown names match no node. */
  regionSet(regions: readonly string[] | undefined): ReadonlySet<number> | undefined {
    if (!regions || regions.length === 0) return undefined;
    return new Set(regions.map((r) => this.#regionIds.get(r) ?? -2));
  }

  /**
   * The first hard constraint (other than latency) a slot fails for a
   * session needing `caps` in `regions`, or undefined when it may host it.
   * `ignoreCapacity` checks everything but a free slot (queueing).
   */
  rejection(
    slot: number,
    caps: number,
    regions: ReadonlySet<number> | undefined,
    ignoreCapacity = false,
  ): ConstraintRejection | undefined {
    const status = this.#status[slot];
    if (status === STATUS_DOWN || status === undefined) return 'not_up';
    if (status === STATUS_DRAINING) return 'draining';
    if (status === STATUS_UNDER_STAKED) return 'stake_too_low';
    if ((this.#caps[slot]! & caps) !== caps) return 'capability_missing';
    if (regions && !regions.has(this.#region[slot]!)) return 'region_not_allowed';
    if (!ignoreCapacity && this.#free[slot]! <= 0) return 'full';
    return undefined;
  }

  /** Fast form of `rejection(...) === undefined` for scans. */
  eligible(slot: number, caps: number, regions: ReadonlySet<number> | undefined): boolean {
    return (
      this.#status[slot] === STATUS_UP &&
      (this.#caps[slot]! & caps) === caps &&
      this.#free[slot]! > 0 &&
      (regions === undefined || regions.has(this.#region[slot]!))
    );
  }

  hasProbe(slot: number): boolean {
    return this.#probeUrls[slot] !== undefined;
  }

  probeUrl(slot: number): string | undefined {
    return this.#probeUrls[slot];
  }

  free(slot: number): number {
    return this.#free[slot] ?? 0;
  }

  capacity(slot: number): number {
    return this.#capacity[slot] ?? 0;
  }

  reputation(slot: number): number {
    return this.#reputation[slot] ?? 0;
  }

  price(slot: number): number {
    return this.#price[slot] ?? 0;
  }

  hasHardwareEncoder(slot: number, codec: string): boolean {
    return ((this.#caps[slot] ?? 0) & (HARDWARE_BITS[codec] ?? 0)) !== 0;
  }

  /** Adjusts free slots directly (the benchmark's simulated sessions; the gateway uses `sync`). */
  adjustFree(slot: number, delta: number): void {
    this.#setFree(slot, this.#free[slot]! + delta);
  }

  #setFree(slot: number, free: number): void {
    const had = this.#free[slot]! > 0;
    this.#free[slot] = free;
    if (had !== free > 0) this.onAvailability?.(slot, free > 0);
  }

  #ensure(capacity: number): void {
    if (this.#status.length >= capacity) return;
    this.#indexed = grow(this.#indexed, capacity, Uint8Array);
    this.#status = grow(this.#status, capacity, Uint8Array);
    this.#caps = grow(this.#caps, capacity, Uint32Array);
    this.#free = grow(this.#free, capacity, Int32Array);
    this.#capacity = grow(this.#capacity, capacity, Int32Array);
    this.#region = grow(this.#region, capacity, Int32Array);
    this.#reputation = grow(this.#reputation, capacity, Float32Array);
    this.#price = grow(this.#price, capacity, Float64Array);
    const geo = new Float64Array(capacity * GEO_STRIDE).fill(Number.NaN);
    geo.set(this.#geo);
    this.#geo = geo;
  }
}

/** A geographic position as a point on a sphere, scaled so chords are fibre RTTs at 1.5× route inflation. */
const GEO_DIMS = 3;
const GEO_STRIDE = GEO_DIMS + 2;
const GEO_RADIUS_MS = ((2 * 6371) / 200) * 1.5;

/** Writes lat/lon (degrees) as a sphere point at `offset`, or NaN when either is unknown. */
export function writeGeoPoint(
  target: Float64Array,
  offset: number,
  lat: number | undefined,
  lon: number | undefined,
): void {
  if (lat === undefined || lon === undefined) {
    target.fill(Number.NaN, offset, offset + GEO_STRIDE);
    return;
  }
  const phi = (lat * Math.PI) / 180;
  const lambda = (lon * Math.PI) / 180;
  target[offset] = GEO_RADIUS_MS * Math.cos(phi) * Math.cos(lambda);
  target[offset + 1] = GEO_RADIUS_MS * Math.cos(phi) * Math.sin(lambda);
  target[offset + 2] = GEO_RADIUS_MS * Math.sin(phi);
  target[offset + 3] = 0;
  target[offset + 4] = 0;
}

const STATUS_DOWN = 0;
const STATUS_UP = 1;
const STATUS_DRAINING = 2;
const STATUS_UNDER_STAKED = 3;

function statusCode(node: Readonly<NodeRecord>, minStake: bigint): number {
  if (node.status === 'down') return STATUS_DOWN;
  if (node.status === 'draining') return STATUS_DRAINING;
  if (minStake > 0n && BigInt(node.stakeWei) < minStake) return STATUS_UNDER_STAKED;
  return STATUS_UP;
}

type TypedArrayCtor<T> = new (length: number) => T;
function grow<T extends { length: number; set(array: ArrayLike<number>): void }>(
  array: T,
  capacity: number,
  Ctor: TypedArrayCtor<T>,
): T {
  const next = new Ctor(capacity);
  next.set(array as unknown as ArrayLike<number>);
  return next;
}

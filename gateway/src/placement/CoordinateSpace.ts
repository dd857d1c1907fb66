/** A flat coordinate space: `stride` numbers per slot, `dims` vector components then the height; NaN = no position. */
export interface CoordinateSpace {
  buffer: Float64Array;
  stride: number;
  dims: number;
}

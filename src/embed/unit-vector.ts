/**
 * Vector values from outside (an API's JSON, a caller's embedder) as a unit-length Float32Array,
 * which dense search's dot product needs; undefined when they are all zero or not finite. Always a
 * copy: the caller's array is never changed.
 */
export function unitVector(values: ArrayLike<number>): Float32Array | undefined {
  const vector = values instanceof Float32Array ? values.slice() : Float32Array.from(values);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i] as number;
    norm += x * x;
  }
  if (!Number.isFinite(norm) || norm === 0) return undefined;
  const scale = 1 / Math.sqrt(norm);
  // Most embedders return unit vectors already; rescaling those would only add rounding.
  if (Math.abs(scale - 1) > 1e-6) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * scale;
  return vector;
}

/**
 * Vector values from outside (an API's JSON, a caller's embedder) as a unit-length Float32Array,
 * which dense search's dot product needs; undefined when they are all zero or not finite.
 */
export function unitVector(values: ArrayLike<number>): Float32Array | undefined {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const x of vector) norm += x * x;
  if (!Number.isFinite(norm) || norm === 0) return undefined;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * scale;
  return vector;
}

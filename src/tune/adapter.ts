import { RagkitError } from "../errors.js";

/** The stored form of an adapter: weights as base64 of little-endian float32, row-major. */
export interface AdapterJson {
  dimensions: number;
  weights: string;
}

/**
 * A linear map applied to query vectors only (documents keep their stored vectors, so nothing is
 * re-embedded): the query moves towards the passages that answered similar questions in this
 * corpus. Starts as the identity, so an untrained adapter changes nothing.
 */
export class QueryAdapter {
  constructor(
    readonly dimensions: number,
    /** W, `dimensions × dimensions`, row-major. */
    readonly weights: Float32Array,
  ) {
    if (weights.length !== dimensions * dimensions) {
      throw new RagkitError(
        "INVALID_ARGUMENT",
        `An adapter for ${dimensions} dimensions needs ${dimensions ** 2} weights, got ${weights.length}`,
      );
    }
  }

  static identity(dimensions: number): QueryAdapter {
    const weights = new Float32Array(dimensions * dimensions);
    for (let i = 0; i < dimensions; i++) weights[i * dimensions + i] = 1;
    return new QueryAdapter(dimensions, weights);
  }

  /** W·v, unit length (cosine search only looks at direction). */
  apply(vector: Float32Array): Float32Array {
    const out = multiply(this.weights, vector, this.dimensions);
    return normalize(out);
  }

  toJSON(): AdapterJson {
    const bytes = new Uint8Array(this.weights.buffer, this.weights.byteOffset, this.weights.byteLength);
    return { dimensions: this.dimensions, weights: Buffer.from(bytes).toString("base64") };
  }

  static fromJSON(json: AdapterJson): QueryAdapter {
    const bytes = Buffer.from(json.weights, "base64");
    const weights = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(weights.buffer).set(bytes);
    return new QueryAdapter(json.dimensions, weights);
  }
}

export function multiply(weights: Float32Array, vector: Float32Array, d: number): Float32Array {
  const out = new Float32Array(d);
  for (let r = 0; r < d; r++) {
    let sum = 0;
    const row = r * d;
    for (let c = 0; c < d; c++) sum += (weights[row + c] as number) * (vector[c] as number);
    out[r] = sum;
  }
  return out;
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
  return vector;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

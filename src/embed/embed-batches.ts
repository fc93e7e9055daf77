import type { EmbedPurpose } from "../types.js";
import type { Embedder } from "./types.js";

/** A text cut to what the embedder reads, so a 1 MB input costs what its first page costs. */
export function fitInput(embedder: Embedder, text: string): string {
  const max = embedder.maxInputChars;
  return max !== undefined && text.length > max ? text.slice(0, max) : text;
}

export interface EmbedAllOptions {
  /** Stop starting batches once aborted; what was embedded is returned, the rest left undefined. */
  signal?: AbortSignal;
  /** After each batch, with how many texts it embedded: progress that moves during a long embed. */
  onBatch?: (count: number) => void;
}

/**
 * Embeds any number of texts through an embedder that takes one batch at a time: batches of
 * `maxBatchSize`, `concurrency` of them in flight, results in input order. After an abort the
 * batches already running finish and the rest are skipped (their slots stay undefined).
 */
export async function embedUntil(
  embedder: Embedder,
  texts: string[],
  purpose: EmbedPurpose,
  options: EmbedAllOptions = {},
): Promise<Array<Float32Array | undefined>> {
  const out: Array<Float32Array | undefined> = new Array(texts.length).fill(undefined);
  const batches: Array<[number, string[]]> = [];
  for (let i = 0; i < texts.length; i += embedder.maxBatchSize) {
    batches.push([i, texts.slice(i, i + embedder.maxBatchSize).map((t) => fitInput(embedder, t))]);
  }
  let next = 0;
  const lane = async () => {
    while (next < batches.length && !options.signal?.aborted) {
      const [offset, batch] = batches[next++] as [number, string[]];
      const vectors = await embedder.embed(batch, purpose);
      vectors.forEach((vector, i) => {
        out[offset + i] = vector;
      });
      options.onBatch?.(batch.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(embedder.concurrency, batches.length) }, lane));
  return out;
}

/** Every text embedded, in input order. */
export async function embedAll(embedder: Embedder, texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
  return (await embedUntil(embedder, texts, purpose)) as Float32Array[];
}

/** Remembers recent query vectors: a repeated question skips the model entirely. */
export class QueryVectorCache {
  private readonly entries = new Map<string, Float32Array>();

  constructor(private readonly capacity = 1000) {}

  async get(embedder: Embedder, query: string): Promise<Float32Array> {
    const hit = this.entries.get(query);
    if (hit) {
      // Re-insert to mark as most recently used.
      this.entries.delete(query);
      this.entries.set(query, hit);
      return hit;
    }
    const [vector] = await embedder.embed([fitInput(embedder, query)], "query");
    if (!vector) throw new Error("embedder returned no vector");
    this.entries.set(query, vector);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return vector;
  }
}

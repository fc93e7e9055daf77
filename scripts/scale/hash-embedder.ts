import type { Embedder } from "../../src/index.js";
import type { EmbedPurpose } from "../../src/types.js";

/**
 * A fast embedder for store benchmarks and scale tests: each word hashes to a fixed pseudo-random
 * direction and a text is the normalised sum of its words', so texts that share words are close.
 * It measures the store, not a model (the scale bench in issue #10 calls for one of its own).
 */
export class HashEmbedder implements Embedder {
  readonly id: string;
  readonly maxBatchSize = 512;
  readonly concurrency = 1;
  private readonly directions = new Map<string, Float32Array>();

  constructor(readonly dimensions = 384) {
    this.id = `hash:${dimensions}`;
  }

  async embed(texts: string[], _purpose: EmbedPurpose): Promise<Float32Array[]> {
    return texts.map((text) => {
      const out = new Float32Array(this.dimensions);
      for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        const direction = this.direction(word);
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (direction[i] as number);
      }
      let norm = 0;
      for (const x of out) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / norm;
      if (norm === 1 && out.every((x) => x === 0)) out[0] = 1;
      return out;
    });
  }

  async close(): Promise<void> {}

  private direction(word: string): Float32Array {
    let cached = this.directions.get(word);
    if (!cached) {
      // FNV-1a seeds a xorshift generator: the same word gives the same direction in every run.
      let h = 2166136261;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619) >>> 0;
      cached = new Float32Array(this.dimensions);
      for (let i = 0; i < cached.length; i++) {
        h ^= h << 13;
        h ^= h >>> 17;
        h ^= h << 5;
        cached[i] = ((h >>> 0) / 4294967296) * 2 - 1;
      }
      if (this.directions.size < 20_000) this.directions.set(word, cached);
    }
    return cached;
  }
}

/**
 * An embedder that adds up the time spent in its `embed` calls (on the caller's thread), and can
 * be handed the vectors of the next texts beforehand (`prepare`, off the clock), so the ingest is
 * measured as the store and ragkit's pipeline allow, with no model cost at all. A text asked for
 * that was not prepared is embedded then, and counted in `misses`.
 */
export class TimedEmbedder implements Embedder {
  seconds = 0;
  misses = 0;
  readonly id: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  readonly concurrency: number;
  private ready = new Map<string, Float32Array>();

  constructor(private readonly inner: HashEmbedder) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
    this.maxBatchSize = inner.maxBatchSize;
    this.concurrency = inner.concurrency;
  }

  async prepare(texts: string[]): Promise<void> {
    const vectors = await this.inner.embed(texts, "document");
    this.ready = new Map(texts.map((text, i) => [text, vectors[i] as Float32Array]));
  }

  async embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    const start = performance.now();
    try {
      const found = texts.map((text) => (purpose === "document" ? this.ready.get(text) : undefined));
      const missing = texts.filter((_, i) => !found[i]);
      this.misses += purpose === "document" ? missing.length : 0;
      const made = missing.length > 0 ? await this.inner.embed(missing, purpose) : [];
      let next = 0;
      return found.map((vector) => vector ?? (made[next++] as Float32Array));
    } finally {
      this.seconds += (performance.now() - start) / 1000;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

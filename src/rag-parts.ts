import { chunkerFor } from "./chunk/index.js";
import type { Chunker } from "./chunk/types.js";
import type { RagkitConfig } from "./config.js";
import { QueryVectorCache } from "./embed/embed-batches.js";
import type { Embedder } from "./embed/types.js";
import type { Generator } from "./generate/types.js";
import { partNames } from "./rag-search.js";
import { createReranker } from "./rerank/index.js";
import type { Reranker } from "./rerank/types.js";

/**
 * The models an open index works with: its embedder (swapped by a reindex, here or in another
 * process) with the chunker and query cache that belong to it, and the generator and reranker,
 * loaded on first use. Parts given to `Rag.open` belong to the caller and are never closed here.
 */
export class RagParts {
  private current: Embedder;
  private ownsEmbedder: boolean;
  private generatorPromise: Promise<Generator | undefined> | undefined;
  private rerankerPromise: Promise<Reranker | undefined> | undefined;
  private readonly ownsGenerator: boolean;
  private readonly ownsReranker: boolean;
  chunker: Chunker;
  queryCache = new QueryVectorCache();

  constructor(
    private readonly config: RagkitConfig,
    embedder: { embedder: Embedder; owned: boolean; chunker: Chunker },
    given: { generator?: Generator | undefined; reranker?: Reranker | undefined },
  ) {
    this.current = embedder.embedder;
    this.ownsEmbedder = embedder.owned;
    this.chunker = embedder.chunker;
    this.ownsGenerator = given.generator === undefined;
    if (given.generator) this.generatorPromise = Promise.resolve(given.generator);
    this.ownsReranker = given.reranker === undefined;
    if (given.reranker) this.rerankerPromise = Promise.resolve(given.reranker);
  }

  get embedder(): Embedder {
    return this.current;
  }

  /** From now on `next` embeds (after a reindex); the previous one is closed if it was ours. */
  async useEmbedder(next: Embedder, owned: boolean): Promise<void> {
    const previous = this.current;
    const ownedPrevious = this.ownsEmbedder;
    this.current = next;
    // Chunks are cut for the embedder that reads them.
    this.chunker = chunkerFor(this.config.chunk, next);
    this.ownsEmbedder = owned;
    this.queryCache = new QueryVectorCache();
    if (ownedPrevious) await previous.close();
  }

  reranker(): Promise<Reranker | undefined> {
    this.rerankerPromise ??= createReranker(this.config.rerank, () => this.generator());
    return this.rerankerPromise;
  }

  generator(): Promise<Generator | undefined> {
    this.generatorPromise ??= import("./generate/index.js").then((m) => m.createGenerator(this.config.generate));
    return this.generatorPromise;
  }

  /** What answers and reranks, for `stats`, without loading a model to say it. */
  names(): { answerer: string; reranker: string | null } {
    return partNames(this.config, { generator: !this.ownsGenerator, reranker: !this.ownsReranker });
  }

  async close(): Promise<void> {
    if (this.ownsEmbedder) await this.current.close();
    if (this.ownsGenerator && this.generatorPromise) await (await this.generatorPromise.catch(() => undefined))?.close();
    if (this.ownsReranker) await (await this.rerankerPromise?.catch(() => undefined))?.close();
  }
}

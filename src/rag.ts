import { chunkerFor } from "./chunk/index.js";
import type { Chunker } from "./chunk/types.js";
import type { RagkitConfig } from "./config.js";
import { embedAll, QueryVectorCache } from "./embed/embed-batches.js";
import { createEmbedder, embedderFor } from "./embed/index.js";
import type { Embedder } from "./embed/types.js";
import { RagkitError } from "./errors.js";
import type { QaItem } from "./eval/answers.js";
import type { AskEvent } from "./generate/answer.js";
import { askEvents } from "./generate/ask-flow.js";
import type { ChatMessage, Generator } from "./generate/types.js";
import type { IngestInput } from "./ingest/pipeline.js";
import type { ReindexReport } from "./ingest/reindex.js";
import type { IngestOptions, IngestReport } from "./ingest/types.js";
import type { LoaderPool } from "./load/load-pool.js";
import type { LoadOptions } from "./load/types.js";
import { onModelDownload, pullHubModel } from "./provider/hub-download.js";
import type { Dtype } from "./provider/transformers.js";
import { doctorIndex, reindexWith } from "./rag-maintain.js";
import { copyBetween, migrateStore, openIndex } from "./rag-open.js";
import type {
  AskOptions,
  CopyOptions,
  ModelDownload,
  RagOpenOptions,
  RagStats,
  ReindexCallOptions,
  ReindexTargetInput,
  SearchOptions,
  TuneOptions,
} from "./rag-options.js";
import { partNames, searchIndex } from "./rag-search.js";
import { createReranker } from "./rerank/index.js";
import type { Reranker } from "./rerank/types.js";
import type { CopyReport } from "./store/copy.js";
import type { DoctorReport } from "./store/doctor.js";
import { resolveRemovals } from "./store/removal.js";
import type { DocumentSummary, LockOptions, Manifest, Store, StoredDocument } from "./store/types.js";
import { pairsFromQuestions } from "./tune/pairs.js";
import { Tuning } from "./tune/tuning.js";
import type {
  Answer,
  ExportFormat,
  ExportReport,
  FeedbackInput,
  FeedbackRecord,
  Hit,
  Reviews,
  StoredChunk,
  TuneReport,
  TuneStatus,
} from "./types.js";
import { type FolderWatch, type WatchOptions, watchFolders } from "./watch/watcher.js";

export type { CopyProgress, CopyReport } from "./store/copy.js";

/**
 * The facade: everything a user, the CLI or the server does goes through here.
 *
 * ```ts
 * const rag = await Rag.open({ dir: ".ragkit" });
 * await rag.ingest(["./docs"]);
 * const answer = await rag.ask("How do I rotate keys?");
 * await rag.close();
 * ```
 */
export class Rag {
  private where = "";
  /** Loader workers start with the first ingest: a search never needs them. */
  private loaders?: LoaderPool;
  private reviewStore?: Reviews & { close(): void };
  private queryCache = new QueryVectorCache();
  private generatorPromise: Promise<Generator | undefined> | undefined;
  private rerankerPromise: Promise<Reranker | undefined> | undefined;
  private readonly ownsReranker: boolean;
  private ownsEmbedder: boolean;

  /** The embedder of the index (it changes when a reindex, here or in another process, swaps one in). */
  get embedder(): Embedder {
    return this.currentEmbedder;
  }
  private readonly ownsGenerator: boolean;
  private readonly tuning: Tuning;

  private constructor(
    readonly config: RagkitConfig,
    readonly dir: string,
    private readonly store: Store,
    private currentEmbedder: Embedder,
    private chunker: Chunker,
    private manifest: Manifest,
    generator: Generator | undefined,
    private readonly lockOptions: LockOptions,
    reranker: Reranker | undefined,
    ownsEmbedder: boolean,
  ) {
    this.ownsGenerator = generator === undefined;
    this.ownsEmbedder = ownsEmbedder;
    if (generator) this.generatorPromise = Promise.resolve(generator);
    this.ownsReranker = reranker === undefined;
    if (reranker) this.rerankerPromise = Promise.resolve(reranker);
    this.tuning = new Tuning(store);
  }

  /** Follows downloads of hub models (transformers.js embedders and cross-encoders), e.g. to draw a progress bar. */
  static onModelDownload(listener: ((p: ModelDownload) => void) | undefined): void {
    onModelDownload(listener);
  }

  /**
   * Downloads a hub model now (`transformers:<id>` or `cross-encoder:<id>`, the files
   * transformers.js needs) into the models directory, so later runs work offline; returns its folder.
   */
  static async pullModel(spec: string, options: { dtype?: Dtype; onProgress?: (p: ModelDownload) => void } = {}): Promise<string> {
    return pullHubModel(spec, options.dtype ?? "fp32", options.onProgress);
  }

  /** Where the index lives, for people: its folder, or its database (without the password) and schema. */
  get location(): string {
    return this.where;
  }

  static async open(options: RagOpenOptions = {}): Promise<Rag> {
    const o = await openIndex(options);
    const rag = new Rag(
      o.config,
      o.dir,
      o.store,
      o.embedder,
      o.chunker,
      o.manifest,
      options.generator,
      options.lock ?? {},
      options.reranker,
      !options.embedder,
    );
    rag.where = o.where;
    return rag;
  }

  /**
   * Moves an index between stores, each a LanceDB folder or a postgres:// URL, without embedding
   * anything again; run again after an interruption, it resumes.
   */
  static copy(from: string, to: string, options: CopyOptions = {}): Promise<CopyReport> {
    return copyBetween(from, to, options);
  }

  /** Creates or upgrades the configured store's schema (Postgres); undefined for a LanceDB folder, which needs none. */
  static migrate(
    options: Pick<RagOpenOptions, "config" | "configFile" | "dir"> = {},
  ): Promise<{ store: string; from: number; to: number } | undefined> {
    return migrateStore(options);
  }

  /** Adds, updates and (for directories) prunes documents; see `IngestReport`. */
  async ingest(inputs: IngestInput | IngestInput[], options: IngestOptions = {}): Promise<IngestReport> {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    // Ctrl-C while waiting for another writer stops the wait too.
    const lock = options.signal ? { ...options.lock, signal: options.signal } : options.lock;
    return this.writing(lock, async () => {
      const { runIngest } = await import("./ingest/pipeline.js");
      const report = await runIngest(this.ingestDeps(), list, options);
      // Another process may have written since we opened: start from the manifest on disk.
      const current = (await this.store.readManifest()) ?? this.manifest;
      this.manifest = { ...current, chunker: { key: this.chunker.key, ...this.config.chunk }, updatedAt: new Date().toISOString() };
      await this.store.writeManifest(this.manifest);
      return report;
    });
  }

  private ingestDeps() {
    return {
      store: this.store,
      embedder: this.embedder,
      chunker: this.chunker,
      load: this.config.load,
      loadFile: async (file: string, options: LoadOptions) => (await this.loaderPool()).load(file, options),
    };
  }

  /**
   * Runs a write holding the index's write lock, so writers in any process take turns and no
   * commit races another. A crashed writer's half-done batch is repaired first.
   */
  private async writing<T>(options: LockOptions | undefined, write: () => Promise<T>): Promise<T> {
    const lock = await this.store.lock({ ...this.lockOptions, ...options });
    try {
      await this.store.recover();
      // A reindex by another process may have swapped the embedder: never write old vectors.
      await this.follow();
      return await write();
    } finally {
      await lock.release();
    }
  }

  /**
   * Hybrid (or dense, or lexical) retrieval, then the configured reranker over the first
   * `rerank.candidates` hits unless `rerank: false`. A failing reranker keeps the first-stage order
   * and says so through `onWarning` (unless `rerank.strict`).
   */
  async search(query: string, options: SearchOptions = {}): Promise<Hit[]> {
    const manifest = await this.follow();
    const tuned = options.tune === false ? undefined : await this.tuning.current(manifest, this.embedder);
    const reranker = options.rerank === false ? undefined : await this.reranker();
    const { config, store, embedder, queryCache } = this;
    return searchIndex({ config, store, embedder, queryCache, tuned, reranker }, query, options);
  }

  /**
   * Re-embeds the stored chunks with another embedder (no file is read again) and swaps it in
   * atomically; the old embedder answers until then, and Ctrl-C (the signal) leaves a resumable
   * reindex. Other processes follow the swap on their next search.
   */
  async reindex(target: ReindexTargetInput, options: ReindexCallOptions = {}): Promise<ReindexReport> {
    const lock = options.signal ? { ...options.lock, signal: options.signal } : options.lock;
    return this.writing(lock, async () => {
      const manifest = (await this.store.readManifest()) ?? this.manifest;
      const context = { config: this.config, store: this.store, current: this.embedder, manifest };
      const { report, next } = await reindexWith(context, target, options);
      if (!next) return report;
      this.manifest = (await this.store.readManifest()) ?? this.manifest;
      await this.useEmbedder(next, !target.embedder);
      return report;
    });
  }

  /** After another process's reindex: the embedder and chunk table its manifest now names. Returns the manifest read. */
  private async follow(): Promise<Manifest | undefined> {
    const manifest = await this.store.readManifest();
    if (!manifest || manifest.embedder.id === this.currentEmbedder.id) return manifest;
    const config = embedderFor(this.config.embedder, manifest.embedder.settings);
    const next = await createEmbedder(config);
    await this.store.refresh();
    this.manifest = manifest;
    await this.useEmbedder(next, true);
    return manifest;
  }

  /**
   * Fits search to this corpus from training pairs (a dataset's, synthetic questions, ratings):
   * a query adapter and fusion settings, kept only when cross-validation on the pairs says they
   * help; then every search uses them (`tune: false` leaves them out). Trains without holding the
   * write lock.
   */
  async tune(options: TuneOptions = {}): Promise<TuneReport> {
    const s = this.config.search;
    await this.follow();
    const synthetic = options.synthetic
      ? pairsFromQuestions(
          await (await import("./eval/questions.js")).generateQuestions(this, {
            count: options.synthetic,
            ...(options.seed !== undefined ? { seed: options.seed } : {}),
          }),
          "synthetic",
        )
      : [];
    const pairs = [...(options.pairs ?? []), ...synthetic];
    // Scored the way evaluation runs search: documents collapsed from 300 candidates per retriever.
    const depth = Math.max(s.candidates, 300);
    return this.tuning.run(this.embedder, { denseWeight: s.denseWeight, fusion: "convex" }, depth, { ...options, pairs }, (write) =>
      this.writing(options.lock, write),
    );
  }

  /** The active tuning (what it was trained on, how it scored) and every earlier one. */
  async tuneStatus(): Promise<TuneStatus> {
    await this.follow();
    return this.tuning.status(this.embedder);
  }

  /** Untuned search again; returns false when nothing was tuned. */
  resetTune(options: { lock?: LockOptions } = {}): Promise<boolean> {
    return this.writing(options.lock, () => this.tuning.reset());
  }

  /** Stores a thumbs up or down (the web UI's, `POST /api/feedback`) for `tune({ feedback: true })`. */
  addFeedback(input: FeedbackInput, options: { lock?: LockOptions } = {}): Promise<FeedbackRecord> {
    return this.writing(options.lock, () => this.tuning.addFeedback(input));
  }

  feedback(): Promise<FeedbackRecord[]> {
    return this.tuning.feedback();
  }

  /**
   * Training data for a generator: each question with the passages ragkit would prompt it with and
   * a cited answer (the gold one, else an extractive one), one object per line of `format`.
   */
  async exportGeneratorData(
    items: QaItem[],
    format: ExportFormat,
  ): Promise<{ lines: Array<Record<string, unknown>>; report: ExportReport }> {
    const deps = {
      search: (question: string) => this.search(question, { k: this.config.answer.passages }),
      documentText: async (id: string) => (await this.store.getDocument(id))?.text,
      contextTokens: this.config.generate.contextTokens,
    };
    return (await import("./tune/export.js")).exportGeneratorData(deps, items, format);
  }

  private async useEmbedder(next: Embedder, owned: boolean): Promise<void> {
    const previous = this.currentEmbedder;
    const ownedPrevious = this.ownsEmbedder;
    this.currentEmbedder = next;
    // Chunks are cut for the embedder that reads them.
    this.chunker = chunkerFor(this.config.chunk, next);
    this.ownsEmbedder = owned;
    this.queryCache = new QueryVectorCache();
    if (ownedPrevious) await previous.close();
  }

  /** The reranker from the config (or given to `open`), loaded on first use; undefined when none. */
  reranker(): Promise<Reranker | undefined> {
    this.rerankerPromise ??= createReranker(this.config.rerank, () => this.generator());
    return this.rerankerPromise;
  }

  /** The language model from the config, loaded on first use; undefined means extractive answers. */
  generator(): Promise<Generator | undefined> {
    this.generatorPromise ??= import("./generate/index.js").then((m) => m.createGenerator(this.config.generate));
    return this.generatorPromise;
  }

  /** Answers from the indexed documents with citations; says so when nothing relevant is found. */
  async ask(question: string, options: AskOptions = {}): Promise<Answer> {
    let answer: Answer | undefined;
    for await (const event of this.askStream(question, options)) if (event.type === "answer") answer = event.answer;
    return answer as Answer;
  }

  /** The same as `ask`, as events: the hits, the answer text as it is generated, the finished answer. */
  askStream(question: string, options: AskOptions = {}): AsyncGenerator<AskEvent> {
    return askEvents(
      { config: this.config, store: this.store, generator: () => this.generator(), search: (q, o) => this.search(q, o) },
      question,
      options,
    );
  }

  /**
   * Answers the last user message of a conversation. A follow-up ("and the second one?") is first
   * rewritten into a question that stands on its own, so retrieval finds the right passages.
   */
  async chat(messages: ChatMessage[], options: Omit<AskOptions, "history"> = {}): Promise<Answer> {
    let answer: Answer | undefined;
    for await (const event of this.chatStream(messages, options)) if (event.type === "answer") answer = event.answer;
    return answer as Answer;
  }

  chatStream(messages: ChatMessage[], options: Omit<AskOptions, "history"> = {}): AsyncGenerator<AskEvent> {
    const last = messages[messages.length - 1];
    if (last?.role !== "user") throw new RagkitError("INVALID_ARGUMENT", "The last message of a chat must be the user's question");
    return this.askStream(last.content, { ...options, history: messages.slice(0, -1) });
  }

  /** Removes documents by id, by file path, or everything under a directory path. */
  async remove(idsOrPaths: string[], options: { lock?: LockOptions } = {}): Promise<{ removed: number; notFound: string[] }> {
    // Resolved under the lock, so a folder removal also catches what another writer just added.
    return this.writing(options.lock, async () => {
      const { ids, notFound } = resolveRemovals(await this.store.listDocuments(), idsOrPaths);
      return { removed: await this.deleteAndCompact(ids), notFound };
    });
  }

  /** Removes documents by id only (never reads an argument as a path); returns how many existed. */
  async removeDocuments(ids: string[], options: { lock?: LockOptions } = {}): Promise<number> {
    return this.writing(options.lock, () => this.deleteAndCompact(ids));
  }

  private async loaderPool(): Promise<LoaderPool> {
    this.loaders ??= new (await import("./load/load-pool.js")).LoaderPool();
    return this.loaders;
  }

  private async deleteAndCompact(ids: string[]): Promise<number> {
    const removed = await this.store.delete(ids);
    if (removed > 0) await this.store.optimize();
    return removed;
  }

  /**
   * Checks the index for duplicates, orphan chunks, count mismatches and wrong offsets; with
   * `repair`, fixes them without removing any document (inconsistent ones are chunked again from
   * their stored text).
   */
  async doctor(options: { repair?: boolean; lock?: LockOptions } = {}): Promise<DoctorReport> {
    return this.writing(options.lock, () =>
      doctorIndex(this.store, options.repair === true, async (documents) =>
        (await import("./ingest/pipeline.js")).runIngest(this.ingestDeps(), documents, { prune: false, force: true }),
      ),
    );
  }

  /** Ingests folders, then follows their changes until `close()` on the returned handle. */
  watch(folders: string[], options: WatchOptions = {}): FolderWatch {
    return watchFolders(this, folders, options);
  }

  documents(): Promise<DocumentSummary[]> {
    return this.store.listDocuments();
  }

  getDocument(id: string): Promise<StoredDocument | undefined> {
    return this.store.getDocument(id);
  }

  getChunks(documentId: string): Promise<StoredChunk[]> {
    return this.store.getChunks(documentId);
  }

  /** Vectors from the index's own embedder (what `/v1/embeddings` serves). */
  embed(texts: string[], purpose: "query" | "document" = "document"): Promise<Float32Array[]> {
    const empty = texts.findIndex((t) => t.trim().length === 0);
    if (empty >= 0) return Promise.reject(new RagkitError("INVALID_ARGUMENT", `Text ${empty} is empty; there is nothing to embed`));
    return embedAll(this.embedder, texts, purpose);
  }

  /** Human review of `eval answers` runs, in `reviews.sqlite` beside the index (opened on first use). */
  async reviews(): Promise<Reviews> {
    this.reviewStore ??= new (await import("./review/store.js")).ReviewStore(this.dir);
    return this.reviewStore;
  }

  async stats(): Promise<RagStats> {
    const stats = await this.store.stats();
    return {
      dir: this.dir,
      store: this.store.name,
      location: this.where,
      ...stats,
      embedder: { id: this.embedder.id, dimensions: this.embedder.dimensions },
      ...partNames(this.config, { generator: !this.ownsGenerator, reranker: !this.ownsReranker }),
      chunker: this.chunker.key,
      createdAt: this.manifest.createdAt,
      updatedAt: this.manifest.updatedAt,
    };
  }

  async close(): Promise<void> {
    await this.loaders?.close();
    this.reviewStore?.close();
    await this.store.close();
    if (this.ownsEmbedder) await this.currentEmbedder.close();
    if (this.ownsGenerator && this.generatorPromise) await (await this.generatorPromise.catch(() => undefined))?.close();
    if (this.ownsReranker) await (await this.rerankerPromise?.catch(() => undefined))?.close();
  }
}

import { embedAll } from "./embed/embed-batches.js";
import { RagkitError } from "./errors.js";
import type { QaItem } from "./eval/answers.js";
import type { AskEvent } from "./generate/answer.js";
import { askEvents } from "./generate/ask-flow.js";
import type { ChatMessage, Generator } from "./generate/types.js";
import { onModelDownload, pullHubModel } from "./provider/hub-download.js";
import type { Dtype } from "./provider/transformers.js";
import { RagIndex } from "./rag-index.js";
import { copyBetween, migrateStore, openIndex } from "./rag-open.js";
import type { AskOptions, CopyOptions, ModelDownload, RagOpenOptions, SearchOptions, TuneOptions } from "./rag-options.js";
import { RagParts } from "./rag-parts.js";
import { searchIndex } from "./rag-search.js";
import type { Reranker } from "./rerank/types.js";
import type { CopyReport } from "./store/copy.js";
import type { LockOptions } from "./store/types.js";
import { pairsFromQuestions } from "./tune/pairs.js";
import { Tuning } from "./tune/tuning.js";
import type { Answer, ExportFormat, ExportReport, FeedbackInput, FeedbackRecord, Hit, Reviews, TuneReport, TuneStatus } from "./types.js";
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
export class Rag extends RagIndex {
  private reviewStore?: Reviews & { close(): void };
  private readonly tuning = new Tuning(this.store);

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

  static async open(options: RagOpenOptions = {}): Promise<Rag> {
    const o = await openIndex(options);
    const parts = new RagParts(
      o.config,
      { embedder: o.embedder, owned: !options.embedder, chunker: o.chunker },
      { generator: options.generator, reranker: options.reranker },
    );
    const rag = new Rag(o.config, o.dir, o.store, parts, o.manifest, options.lock ?? {});
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

  /**
   * Hybrid (or dense, or lexical) retrieval, then the configured reranker over the first
   * `rerank.candidates` hits unless `rerank: false`. A failing reranker keeps the first-stage order
   * and says so through `onWarning` (unless `rerank.strict`).
   */
  async search(query: string, options: SearchOptions = {}): Promise<Hit[]> {
    const manifest = await this.follow();
    const tuned = options.tune === false ? undefined : await this.tuning.current(manifest, this.embedder);
    const reranker = options.rerank === false ? undefined : await this.reranker();
    const { config, store, embedder } = this;
    return searchIndex({ config, store, embedder, queryCache: this.parts.queryCache, tuned, reranker }, query, options);
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

  /** The reranker from the config (or given to `open`), loaded on first use; undefined when none. */
  reranker(): Promise<Reranker | undefined> {
    return this.parts.reranker();
  }

  /** The language model from the config, loaded on first use; undefined means extractive answers. */
  generator(): Promise<Generator | undefined> {
    return this.parts.generator();
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

  /** Ingests folders, then follows their changes until `close()` on the returned handle. */
  watch(folders: string[], options: WatchOptions = {}): FolderWatch {
    return watchFolders(this, folders, options);
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

  override async close(): Promise<void> {
    this.reviewStore?.close();
    await super.close();
  }
}

import { embedUntil } from "../embed/embed-batches.js";
import { RagkitError } from "../errors.js";
import { type DocumentInput, loadFile, makeDocument } from "../load/index.js";
import type { WalkedFile } from "../load/walk.js";
import type { ChunkRecord, DocumentSummary, DocumentWrite } from "../store/types.js";
import type { Document } from "../types.js";
import { chunksIn, GroupCommit } from "./group-commit.js";
import type { IngestDeps } from "./pipeline.js";
import { chunkRecords, originOf, toStored } from "./records.js";
import type { IngestOptions, IngestProgress, IngestReport } from "./types.js";

// Chunks per embedding batch. Large enough to keep every embedding worker busy, small enough that
// Ctrl-C stops soon and an interrupted run loses little work. (512 made a fast embedder's ingest
// 10% faster, its vector look-ups fewer, but a killed run then lost four times the work.)
const BATCH_CHUNKS = 128;
// Batches being embedded at once: one embeds while the previous one is handed to the writer.
const MAX_IN_FLIGHT = 2;
// Chunks waiting to be committed, at most: batches that queue while a commit runs go together.
const MAX_COMMIT_CHUNKS = 2048;
// Documents given in memory are looked up in the index this many at a time.
const LOOKUP_DOCUMENTS = 1000;

type Slice = Array<{ document?: Document; input: DocumentInput; error?: unknown }>;

interface Pending {
  document: Document;
  isNew: boolean;
  chunks: ChunkRecord[];
}

/**
 * One ingest's documents on their way through chunk → embed → store: batches of chunks are
 * embedded (two at a time) while earlier ones are committed, whole documents per commit. After a
 * failed write nothing more is queued, so what is stored stays a prefix of the run.
 */
export class IngestRun {
  readonly report: IngestReport = {
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    chunksEmbedded: 0,
    chunksReused: 0,
    failed: [],
    warnings: [],
    aborted: false,
  };
  readonly progress: IngestProgress = {
    phase: "scan",
    filesTotal: 0,
    filesDone: 0,
    documentsWritten: 0,
    chunksEmbedded: 0,
    chunksReused: 0,
    chunksTotal: 0,
  };
  /** Ids accepted in this run (a second document with one is refused). */
  readonly seen = new Set<string>();
  /** Files read whole this run: their documents that are gone now were deleted from the file. */
  readonly loadedFiles = new Set<string>();
  private chunksQueued = 0;
  private batch: Pending[] = [];
  private batchChunks = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly committing = new Set<Promise<void>>();
  private readonly commits: GroupCommit;
  private writeError: unknown;
  private chunksSinceUpkeep = 0;

  constructor(
    private readonly deps: IngestDeps,
    private readonly options: IngestOptions,
    /** What the index holds, by id: listed up front for folders, looked up batch by batch otherwise. */
    readonly existing: Map<string, DocumentSummary>,
  ) {
    this.commits = new GroupCommit((writes) => this.write(writes), MAX_COMMIT_CHUNKS);
  }

  /**
   * One commit, and every `upkeepEveryChunks` chunks the store's index upkeep. Rows outside the
   * indexes are searched by a scan, in every process (+50 ms per lexical query with 30,000 of them
   * at 150,000 chunks), and a new LanceDB index has no lookup indexes before its first upkeep: a
   * 200,000-document call that kept everything for its end slowed from 3,156 to 303 documents/s.
   * The upkeep runs in the background where the store can (LanceDB): the next commits append
   * beside it instead of waiting, as the next call does after a call's upkeep.
   */
  private async write(writes: DocumentWrite[]): Promise<void> {
    await this.deps.store.upsert(writes);
    this.chunksSinceUpkeep += chunksIn(writes);
    const every = this.deps.upkeepEveryChunks ?? 0;
    if (every <= 0 || this.chunksSinceUpkeep < every) return;
    this.chunksSinceUpkeep = 0;
    await this.updateIndexes(true);
  }

  /** The store's index upkeep, shown as the `index` phase while it runs (unless left to the background). */
  async updateIndexes(background = false): Promise<void> {
    if (background) return this.deps.store.optimize({ background: true });
    const phase = this.progress.phase;
    this.progress.phase = "index";
    this.tell();
    try {
      await this.deps.store.optimize();
    } finally {
      this.progress.phase = phase;
    }
  }

  tell(current?: string): void {
    const progress = this.progress;
    // Files not read yet are assumed to hold as many new chunks per file as those read so far.
    const perFile = progress.filesDone > 0 ? this.chunksQueued / progress.filesDone : 0;
    progress.chunksTotal = Math.round(this.chunksQueued + Math.max(0, progress.filesTotal - progress.filesDone) * perFile);
    this.options.onProgress?.({ ...progress, ...(current ? { current } : {}) });
  }

  private get stopped(): boolean {
    return (this.options.signal?.aborted ?? false) || this.writeError !== undefined;
  }

  async ingestFiles(files: WalkedFile[]): Promise<void> {
    this.progress.filesTotal = files.length;
    this.progress.phase = "ingest";
    for (const file of files) {
      if (this.stopped) break;
      this.tell(file.path);
      if (file.error) this.report.failed.push({ path: file.path, code: file.error.code, message: file.error.message });
      else await this.ingestFile(file.path);
      this.progress.filesDone++;
    }
  }

  private async ingestFile(file: string): Promise<void> {
    try {
      const loaded = await (this.deps.loadFile ?? loadFile)(file, this.deps.load);
      this.loadedFiles.add(file);
      const encoding = loaded[0]?.metadata.encoding;
      if (typeof encoding === "string" && !encoding.startsWith("utf-")) {
        this.report.warnings.push({ path: file, code: "INVALID_ENCODING", message: `${file} is not valid UTF-8; decoded as ${encoding}` });
      }
      const extra = this.options.fileMetadata?.[file];
      for (const document of loaded)
        await this.accept(extra ? makeDocument({ ...document, metadata: { ...document.metadata, ...extra } }) : document, file);
    } catch (error) {
      const e = RagkitError.isInstance(error) ? error : new RagkitError("READ_FAILED", `${file}: ${String(error)}`);
      this.report.failed.push({ path: file, code: e.code, message: e.message });
    }
  }

  async ingestDocuments(documents: DocumentInput[]): Promise<void> {
    // The next slice is made and looked up while this one is chunked and embedded: each look-up
    // waits on the store (0.3 s per 10,000 documents) with nothing else to do on this thread.
    let next: Promise<Slice> | undefined = documents.length > 0 ? this.lookUp(documents.slice(0, LOOKUP_DOCUMENTS)) : undefined;
    for (let i = 0; next && !this.stopped; i += LOOKUP_DOCUMENTS) {
      const made = await next;
      const after = documents.slice(i + LOOKUP_DOCUMENTS, i + 2 * LOOKUP_DOCUMENTS);
      next = after.length > 0 ? this.lookUp(after) : undefined;
      // A run that stops leaves the look-up ahead unread: its failure is not the run's.
      next?.catch(() => {});
      for (const { document, input, error } of made) {
        if (this.stopped) break;
        try {
          if (!document) throw error;
          await this.accept(document, originOf(input));
        } catch (error) {
          const e = RagkitError.isInstance(error) ? error : new RagkitError("INVALID_ARGUMENT", String(error));
          this.report.failed.push({ path: originOf(input), code: e.code, message: e.message });
        }
      }
    }
  }

  /** Documents made from their inputs (or the error that refused each), their stored summaries fetched. */
  private async lookUp(inputs: DocumentInput[]): Promise<Slice> {
    const made = inputs.map((input) => {
      try {
        return { document: makeDocument(input), input };
      } catch (error) {
        return { input, error };
      }
    });
    const ids = made.flatMap((m) => (m.document && !this.existing.has(m.document.id) ? [m.document.id] : []));
    for (const summary of await this.deps.store.findDocuments(ids)) this.existing.set(summary.id, summary);
    return made;
  }

  /** Queues a document unless it is unchanged or its id was seen already in this run. */
  private async accept(document: Document, origin: string): Promise<void> {
    const { report, deps } = this;
    if (this.seen.has(document.id)) {
      const message = `${origin}: document id "${document.id}" appears more than once in this run; only the first was kept`;
      report.failed.push({ path: origin, code: "DUPLICATE_DOCUMENT", message });
      return;
    }
    this.seen.add(document.id);
    const before = this.existing.get(document.id);
    if (!this.options.force && before && before.contentHash === document.contentHash && before.chunkerKey === deps.chunker.key) {
      report.unchanged++;
      return;
    }
    const chunks = chunkRecords(deps.chunker, document, deps.embedder.id);
    if (chunks.length === 0) {
      report.failed.push({ path: origin, code: "EMPTY_DOCUMENT", message: `${origin} has no text to index` });
      return;
    }
    this.batch.push({ document, isNew: !before, chunks });
    this.chunksQueued += chunks.length;
    this.batchChunks += chunks.length;
    if (this.batchChunks >= BATCH_CHUNKS) await this.submit();
  }

  /** Hands the batch to embedding, waiting while two are embedding or too much awaits its commit. */
  private async submit(): Promise<void> {
    if (this.batch.length === 0) return;
    const job = this.flush(this.batch).catch((error) => {
      this.writeError ??= error;
    });
    this.batch = [];
    this.batchChunks = 0;
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    while (this.commits.pending >= MAX_COMMIT_CHUNKS && this.committing.size > 0) await Promise.race(this.committing);
  }

  /** Waits for every batch to be embedded and committed; rethrows the first failed write. */
  async drain(): Promise<IngestReport> {
    if (!this.writeError) await this.submit();
    await Promise.all(this.inFlight);
    await Promise.all(this.committing);
    if (this.writeError) throw this.writeError;
    // Counted once, as embedding went (the progress shows them too).
    this.report.chunksEmbedded = this.progress.chunksEmbedded;
    this.report.chunksReused = this.progress.chunksReused;
    this.report.aborted = this.options.signal?.aborted ?? false;
    return this.report;
  }

  private async flush(pending: Pending[]): Promise<void> {
    const vectors = await this.vectorsFor(pending.flatMap((p) => p.chunks));
    // Ctrl-C stops embedding between batches: the documents whose chunks all have vectors are
    // still written (one atomic step), the rest are left for the next run.
    const complete = pending.filter((p) => p.chunks.every((r) => vectors.has(r.embedHash)));
    for (const record of complete.flatMap((p) => p.chunks)) record.vector = vectors.get(record.embedHash) as Float32Array;
    if (complete.length > 0) this.commit(complete);
  }

  /** Vectors by embed hash: stored ones re-used, the rest embedded (fewer when Ctrl-C stops it). */
  private async vectorsFor(records: ChunkRecord[]): Promise<Map<string, Float32Array>> {
    const { store, embedder } = this.deps;
    // Asked even of an empty index (documents given in memory are not listed first): it also finds
    // vectors an earlier batch of this run wrote for the same text.
    const vectors = await store.findVectors(records.map((r) => r.embedHash));
    const missing = [...new Set(records.filter((r) => !vectors.has(r.embedHash)).map((r) => r.embedHash))];
    const textOf = new Map(records.map((r) => [r.embedHash, r.contextText ?? r.text]));
    this.progress.chunksReused += records.length - missing.length;
    const onBatch = (count: number) => {
      this.progress.chunksEmbedded += count;
      this.tell();
    };
    const signal = this.options.signal;
    const embedded = await embedUntil(
      embedder,
      missing.map((h) => textOf.get(h) as string),
      "document",
      { ...(signal ? { signal } : {}), onBatch },
    );
    for (const [i, hash] of missing.entries()) {
      const vector = embedded[i];
      if (vector) vectors.set(hash, vector);
    }
    return vectors;
  }

  private commit(complete: Pending[]): void {
    const chunker = this.deps.chunker;
    const writes: DocumentWrite[] = complete.map((p) => ({
      document: toStored(p.document, chunker.key, p.chunks.length),
      chunks: p.chunks,
      isNew: p.isNew,
    }));
    const committed = this.commits.write(writes).then(
      () => {
        for (const p of complete) {
          if (p.isNew) this.report.added++;
          else this.report.updated++;
        }
        this.progress.documentsWritten += complete.length;
        this.tell();
      },
      (error: unknown) => {
        this.writeError ??= error;
      },
    );
    this.committing.add(committed);
    void committed.finally(() => this.committing.delete(committed));
  }
}

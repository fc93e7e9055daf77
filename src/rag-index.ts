import type { RagkitConfig } from "./config.js";
import { createEmbedder, embedderFor } from "./embed/index.js";
import type { Embedder } from "./embed/types.js";
import type { IngestInput } from "./ingest/pipeline.js";
import type { ReindexReport } from "./ingest/reindex.js";
import type { IngestOptions, IngestReport } from "./ingest/types.js";
import type { LoaderPool } from "./load/load-pool.js";
import type { LoadOptions } from "./load/types.js";
import { doctorIndex, reindexWith } from "./rag-maintain.js";
import type { RagStats, ReindexCallOptions, ReindexTargetInput } from "./rag-options.js";
import type { RagParts } from "./rag-parts.js";
import type { DoctorReport } from "./store/doctor.js";
import { resolveRemovals } from "./store/removal.js";
import type { DocumentSummary, LockOptions, Manifest, Store, StoredDocument } from "./store/types.js";
import type { StoredChunk } from "./types.js";

/**
 * What `Rag` holds open, and every write to it: ingest, reindex, removal, repair, each under the
 * index's write lock, following another process's reindex first. `Rag` adds search, answers and
 * tuning on top.
 */
export class RagIndex {
  protected where = "";
  /** Loader workers start with the first ingest: a search never needs them. */
  private loaders?: LoaderPool;

  /** The embedder of the index (it changes when a reindex, here or in another process, swaps one in). */
  get embedder(): Embedder {
    return this.parts.embedder;
  }

  protected constructor(
    readonly config: RagkitConfig,
    readonly dir: string,
    protected readonly store: Store,
    protected readonly parts: RagParts,
    protected manifest: Manifest,
    protected readonly lockOptions: LockOptions,
  ) {}

  /** Where the index lives, for people: its folder, or its database (without the password) and schema. */
  get location(): string {
    return this.where;
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
      this.manifest = { ...current, chunker: { key: this.parts.chunker.key, ...this.config.chunk }, updatedAt: new Date().toISOString() };
      await this.store.writeManifest(this.manifest);
      return report;
    });
  }

  private ingestDeps() {
    return {
      store: this.store,
      embedder: this.embedder,
      chunker: this.parts.chunker,
      load: this.config.load,
      upkeepEveryChunks: this.config.store.upkeepEveryChunks,
      loadFile: async (file: string, options: LoadOptions) => (await this.loaderPool()).load(file, options),
    };
  }

  /**
   * Runs a write holding the index's write lock, so writers in any process take turns and no
   * commit races another. A crashed writer's half-done batch is repaired first.
   */
  protected async writing<T>(options: LockOptions | undefined, write: () => Promise<T>): Promise<T> {
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
      await this.parts.useEmbedder(next, !target.embedder);
      return report;
    });
  }

  /** After another process's reindex: the embedder and chunk table its manifest now names. Returns the manifest read. */
  protected async follow(): Promise<Manifest | undefined> {
    const manifest = await this.store.readManifest();
    if (!manifest || manifest.embedder.id === this.embedder.id) return manifest;
    const config = embedderFor(this.config.embedder, manifest.embedder.settings);
    const next = await createEmbedder(config);
    await this.store.refresh();
    this.manifest = manifest;
    await this.parts.useEmbedder(next, true);
    return manifest;
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

  documents(): Promise<DocumentSummary[]> {
    return this.store.listDocuments();
  }

  getDocument(id: string): Promise<StoredDocument | undefined> {
    return this.store.getDocument(id);
  }

  getChunks(documentId: string): Promise<StoredChunk[]> {
    return this.store.getChunks(documentId);
  }

  async stats(): Promise<RagStats> {
    const stats = await this.store.stats();
    return {
      dir: this.dir,
      store: this.store.name,
      location: this.where,
      ...stats,
      embedder: { id: this.embedder.id, dimensions: this.embedder.dimensions },
      ...this.parts.names(),
      chunker: this.parts.chunker.key,
      createdAt: this.manifest.createdAt,
      updatedAt: this.manifest.updatedAt,
    };
  }

  async close(): Promise<void> {
    await this.loaders?.close();
    await this.store.close();
    await this.parts.close();
  }
}

import type { LockOptions, Metadata, SearchFilter, StoredChunk, WriteLock } from "../types.js";

export type { LockHolder, LockOptions, WriteLock } from "../types.js";

/** What the index remembers about what built it; a mismatch means its vectors can't be trusted. */
export interface Manifest {
  schemaVersion: number;
  /** The table that holds the chunks (changes when a reindex swaps in another embedder's). */
  chunksTable?: string;
  /** Chunk tables a reindex replaced, dropped once no reader can still hold them. */
  retired?: Array<{ table: string; at: string }>;
  /** `settings`: what rebuilds the same embedder (provider, model, prefixes; never keys). */
  embedder: { id: string; dimensions: number; settings?: Record<string, string | number> };
  analyzer: string;
  chunker: Record<string, unknown>;
  /** The active tuning (`ragkit tune`): its record is the store's meta entry `key`. */
  tune?: { version: number; key: string };
  createdAt: string;
  updatedAt: string;
}

export interface DocumentSummary {
  id: string;
  source: string;
  title?: string;
  contentHash: string;
  /** Identifies the chunker settings the document was split with; a change re-chunks it. */
  chunkerKey: string;
  metadata: Metadata;
  chunkCount: number;
  chars: number;
  updatedAt: number;
}

export interface StoredDocument extends DocumentSummary {
  text: string;
}

/** A chunk ready to store: its vector, the hash that vector was computed from, and analysed terms. */
export interface ChunkRecord extends StoredChunk {
  vector: Float32Array;
  /** sha256 of embedder id + embedded text: the key for re-using vectors. */
  embedHash: string;
  /** Space-separated output of the lexical analyzer over the contextual text. */
  terms: string;
}

export interface DocumentWrite {
  document: StoredDocument;
  chunks: ChunkRecord[];
  /**
   * The writer looked (under the write lock) and the index has no document with this id: the store
   * may append instead of merging, which costs what the batch costs rather than a pass over the index.
   */
  isNew?: boolean;
}

/** A ranked chunk not read yet: what fusing and collapsing rankings need, and how to read it back. */
export interface ChunkRef {
  id: string;
  documentId: string;
  /** The store's own handle for reading the chunk back fast (LanceDB: its row id when ranked); never kept. */
  handle?: bigint;
}

export interface ScoredRef {
  chunk: ChunkRef;
  score: number;
}

export interface StoreSearchOptions {
  k: number;
  /** Only chunks of these documents; undefined means all. */
  documentIds?: string[];
  /** Only chunks of documents whose metadata has each of these values (SearchFilter's semantics); with documentIds, both hold. */
  metadata?: SearchFilter["metadata"];
}

export interface ReindexTarget {
  embedderId: string;
  dimensions: number;
}

/**
 * A reindex in progress: chunks for another embedder fill a second table while the current one
 * keeps answering; `commit` swaps them in one atomic step, with the manifest that records the new
 * embedder. An interrupted reindex resumes where it stopped.
 */
export interface ReindexStage {
  /**
   * Documents an earlier, interrupted run of the same reindex already wrote, each with the
   * `chunksFingerprint` of its staged chunks (the document may have changed since).
   */
  done(): Promise<Map<string, string>>;
  /** Drops the staged chunks of these documents (changed or deleted since they were staged). */
  discard(documentIds: string[]): Promise<void>;
  /** The chunks of whole documents, in one atomic write. */
  write(chunks: ChunkRecord[]): Promise<void>;
  /** `chunkerKey`: how the staged chunks were cut; the document rows are updated to it. */
  commit(manifest: Manifest, chunkerKey: string): Promise<void>;
}

/** Every id as stored, duplicates included: what `doctor` checks. */
export interface StoreScan {
  documents: Array<{ id: string; chunkCount: number }>;
  chunks: Array<{ id: string; documentId: string }>;
}

/** What `doctor --repair` asks a store to fix; nothing in it deletes a document. */
export interface RepairPlan {
  /** Documents whose id, or one of whose chunk ids, is stored more than once: keep one of each. */
  dedupe: string[];
  /** Ids that have chunks but no document row: drop those chunks. */
  orphanChunksOf: string[];
  /** Documents whose chunks disagree with them: chunked again from their stored text. */
  rechunk: string[];
}

export interface StoreStats {
  documents: number;
  chunks: number;
  bytesOnDisk: number;
  /** Memory the store's own caches hold in this process, where it can say. */
  cacheBytes?: number;
}

/**
 * Where chunks, vectors and documents live. Every write is atomic per call: a reader sees a
 * document's old chunks or its new ones, never a mix, and a crash loses at most the call in flight.
 */
export interface Store {
  readonly name: string;
  /** Capabilities as data: a store without native lexical search gets BM25 from the retriever. */
  readonly capabilities: { lexical: boolean };
  /**
   * Serialises writers across processes (and within one). Every write (upsert, delete, optimize,
   * manifest) must happen while holding it; reads never need it.
   */
  lock(options?: LockOptions): Promise<WriteLock>;
  /** Finishes or undoes a write that a crashed writer left half done; call while holding the lock. */
  recover(): Promise<void>;
  readManifest(): Promise<Manifest | undefined>;
  writeManifest(manifest: Manifest): Promise<void>;
  /** A JSON record the index keeps beside its data (tunings, feedback); undefined when absent. */
  readMeta(key: string): Promise<unknown>;
  /** Replaces the record atomically; call while holding the lock. */
  writeMeta(key: string, value: unknown): Promise<void>;
  /** Replaces each document and all its chunks (chunks no longer produced are deleted). */
  upsert(writes: DocumentWrite[]): Promise<void>;
  /** Removes documents and their chunks; returns how many documents existed. */
  delete(documentIds: string[]): Promise<number>;
  /**
   * The nearest chunks by cosine similarity, ranked without reading them: a hybrid search fuses two
   * rankings of 100 and keeps 10, and at a million chunks reading every candidate's text and
   * metadata was a third of its time. `readChunks` then reads the ones kept.
   */
  rankDense(vector: Float32Array, options: StoreSearchOptions): Promise<ScoredRef[]>;
  /** BM25 over the analysed terms (`terms` are already analysed), ranked as `rankDense`. */
  rankLexical(terms: string[], options: StoreSearchOptions): Promise<ScoredRef[]>;
  /** These chunks, in this order; any deleted since it was ranked is left out. */
  readChunks(refs: ChunkRef[]): Promise<StoredChunk[]>;
  getDocument(id: string): Promise<StoredDocument | undefined>;
  /** Optional: these documents with their text in one read (those that exist); `doctor` reads them all so. */
  getDocuments?(ids: string[]): Promise<StoredDocument[]>;
  listDocuments(): Promise<DocumentSummary[]>;
  /** The summaries of these documents (those that exist), without listing the others. */
  findDocuments(ids: string[]): Promise<DocumentSummary[]>;
  /**
   * Optional: the documents a search filter may allow, narrowed where the store can (ids and
   * metadata in SQL); it may return more, never fewer: the caller applies the whole filter after.
   * Without it, filters are resolved against `listDocuments`.
   */
  narrowDocuments?(filter: SearchFilter): Promise<readonly DocumentSummary[]>;
  /**
   * Optional: a search's options in the form this store ranks fastest, called once per search
   * before its rankings (Postgres turns a metadata filter into the document ids it allows). The
   * rankings must also take the options as given.
   */
  narrowSearch?(options: StoreSearchOptions): Promise<StoreSearchOptions>;
  /** A document's chunks in order. */
  getChunks(documentId: string): Promise<StoredChunk[]>;
  /** These documents' chunks as stored, with vectors, hashes and terms: what `copy` moves. */
  getChunkRecords(documentIds: string[]): Promise<ChunkRecord[]>;
  /** Vectors already stored for these embed hashes, so unchanged text is never embedded twice. */
  findVectors(embedHashes: string[]): Promise<Map<string, Float32Array>>;
  /**
   * Compacts storage and brings search indexes up to date after a batch of writes. With
   * `background`, a store may return first and finish under the write lock it keeps (LanceDB);
   * the rows are searchable either way, and `close` waits for it.
   */
  optimize(options?: { background?: boolean }): Promise<void>;
  stats(): Promise<StoreStats>;
  /** Starts (or resumes) a reindex into another embedder's vectors; call while holding the lock. */
  stageReindex(target: ReindexTarget): Promise<ReindexStage>;
  /** Follows a reindex another process committed: the chunk table the manifest names now. */
  refresh(): Promise<void>;
  /** All document and chunk ids, duplicates included (for `doctor`). */
  scan(): Promise<StoreScan>;
  /** Applies a repair; call while holding the lock. */
  repair(plan: RepairPlan): Promise<void>;
  close(): Promise<void>;
}

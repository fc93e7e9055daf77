export { AutoChunker, type Chunker, type ChunkerOptions, MarkdownChunker, RecursiveChunker } from "./chunk/index.js";
export { configSchema, type RagkitConfig, type RagkitConfigInput, resolveConfig } from "./config.js";
export { BundledEmbedder } from "./embed/bundled.js";
export type { CallerEmbedder, Embedder } from "./embed/types.js";
export { ERROR_CODES, type ErrorCode, RagkitError } from "./errors.js";
export { evaluateRetrieval, type RetrievalEvalResult } from "./eval/retrieval.js";
export type { IngestInput } from "./ingest/pipeline.js";
export type { IngestFailure, IngestOptions, IngestProgress, IngestReport } from "./ingest/types.js";
export type { DocumentInput, Loader, LoadOptions } from "./load/index.js";
export { LOADERS, loadFile } from "./load/index.js";
export { Rag } from "./rag.js";
export type * from "./rag-options.js";
export type { CopyProgress, CopyReport } from "./store/copy.js";
export type { DoctorReport } from "./store/doctor.js";
export { LanceDbStore } from "./store/lancedb.js";
export { SCHEMA_VERSION } from "./store/manifest.js";
export { PostgresStore, type PostgresStoreOptions } from "./store/postgres.js";
export type {
  ChunkRecord,
  ChunkRef,
  DocumentSummary,
  DocumentWrite,
  Manifest,
  RepairPlan,
  ScoredRef,
  Store,
  StoredDocument,
  StoreSearchOptions,
} from "./store/types.js";
export { analyze } from "./text/analyzer.js";
export { pairsFromDataset, pairsFromFeedback } from "./tune/pairs.js";
export * from "./types.js";
export type { FolderWatch, WatchOptions } from "./watch/watcher.js";

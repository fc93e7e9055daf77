import type { ErrorCode } from "../errors.js";

export interface IngestFailure {
  /** File path, or the document id for documents passed in memory. */
  path: string;
  code: ErrorCode;
  message: string;
}

/** The `--json` shape of `ragkit ingest`; part of the public interface. */
export interface IngestReport {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  chunksEmbedded: number;
  /** Chunks whose vectors were re-used from the index by content hash. */
  chunksReused: number;
  failed: IngestFailure[];
  /** Indexed, but worth knowing (e.g. a file that was not UTF-8 and was decoded by detection). */
  warnings: IngestFailure[];
  /** True when the run was interrupted; what was written is complete and the rest is not. */
  aborted: boolean;
}

export interface IngestProgress {
  /** "index": the store's indexes are being brought up to date (during a long run, and at its end). */
  phase: "scan" | "ingest" | "index" | "cleanup" | "done";
  filesTotal: number;
  /** Files read and chunked (they run ahead of embedding, which is the slow part). */
  filesDone: number;
  documentsWritten: number;
  /** Chunks embedded so far, counted after every embedding batch. */
  chunksEmbedded: number;
  /** Chunks whose vector was found in the index (unchanged text): done without the model. */
  chunksReused: number;
  /**
   * Chunks this run will embed or reuse: those of the files read so far, plus the files still
   * to read at the rate seen so far. Exact once every file is read.
   */
  chunksTotal: number;
  /** The file being read, when there is one. */
  current?: string;
}

export interface IngestOptions {
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Remove documents that came from files under the ingested directories which no longer
   * exist. On by default.
   */
  prune?: boolean;
  /** Extra metadata for documents loaded from these files (absolute path → metadata), e.g. an upload's original name. */
  fileMetadata?: Record<string, import("../types.js").Metadata>;
  /** Re-chunk and re-write documents even when their content hash is unchanged (repairs). */
  force?: boolean;
  /** How to wait for another writer of the index (overrides the `Rag.open` setting). */
  lock?: import("../types.js").LockOptions;
  /**
   * Return only once the indexes cover what was written (the CLI does, showing the `index` phase).
   * By default a LanceDB index brings them up to date in the background, so the next call can
   * write meanwhile; searches see every row either way, and `close()` waits for it.
   */
  waitForIndexes?: boolean;
}

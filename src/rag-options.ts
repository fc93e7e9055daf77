import type { DeepPartial, RagkitConfig, RagkitConfigInput } from "./config.js";
import type { CallerEmbedder } from "./embed/types.js";
import type { ChatMessage, Generator } from "./generate/types.js";
import type { ReindexProgress } from "./ingest/reindex.js";
import type { Reranker } from "./rerank/types.js";
import type { Fusion } from "./retrieve/fuse.js";
import type { CopyProgress } from "./store/copy.js";
import type { Store } from "./store/types.js";
import type { TuneRunOptions } from "./tune/tuning.js";
import type { LockOptions, SearchFilter, SearchMode, TrainingPair } from "./types.js";

/** The options of the `Rag` facade's calls: part of the public library interface. */

export interface RagOpenOptions {
  /** Index directory; overrides `config.index`. */
  dir?: string;
  /** Options over the config file and environment. */
  config?: DeepPartial<RagkitConfigInput>;
  /** A JSON config file; `ragkit.config.json` in cwd is read when present. */
  configFile?: string;
  /** Fail with INDEX_NOT_FOUND instead of creating an empty index (for read-only commands). */
  mustExist?: boolean;
  /** Bring your own parts (tests, custom providers): an embedder needs only id, dimensions and embed. */
  embedder?: CallerEmbedder;
  store?: Store;
  /** A language model to answer with; otherwise the config decides (extractive when none is set). */
  generator?: Generator;
  /** How writes wait for the index's write lock (another process ingesting); default: wait. */
  lock?: LockOptions;
  /** A second-stage ranker; otherwise `rerank` in the config decides (none by default). */
  reranker?: Reranker;
}

export interface SearchOptions {
  k?: number;
  mode?: SearchMode;
  filter?: SearchFilter;
  /** One hit per document. */
  collapse?: boolean;
  denseWeight?: number;
  candidates?: number;
  fusion?: Fusion;
  /** false: skip the configured reranker; true: require one. Default: rerank when one is configured. */
  rerank?: boolean;
  /** false: search as if `ragkit tune` had never run (its settings and query adapter left out). */
  tune?: boolean;
  /** Told what went partly wrong, e.g. a reranker that failed and left the first-stage order. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface AskOptions extends SearchOptions {
  maxSentences?: number;
  /** Earlier turns, oldest first; the question is answered in their context. */
  history?: ChatMessage[];
  signal?: AbortSignal;
}

export interface RagStats {
  dir: string;
  /** Which store holds the index: lancedb (the folder \`dir\`) or postgres. */
  store: string;
  /** The folder, or the database URL (without its password) and schema. */
  location: string;
  documents: number;
  chunks: number;
  bytesOnDisk: number;
  /** Memory the store's caches hold in this process (LanceDB's index and metadata caches). */
  cacheBytes?: number;
  embedder: { id: string; dimensions: number };
  /** `provider:model` of the configured reranker, or null when search is not reranked. */
  reranker: string | null;
  /** What writes answers: `extractive`, or `llama-cpp:<model>` / `openai:<model>` (`custom` when one was passed in). */
  answerer: string;
  chunker: string;
  createdAt?: string;
  updatedAt?: string;
}

/** A hub model being downloaded: the file, its bytes so far and in all, and how many files are done. */
export interface ModelDownload {
  model: string;
  file: string;
  loaded: number;
  total: number;
  filesDone: number;
  filesTotal: number;
}

/** What `rag.tune` trains on and how. */
export interface TuneOptions extends Omit<TuneRunOptions, "pairs"> {
  /** Labelled pairs, e.g. from `pairsFromDataset` (a BEIR qrels split or a questions file). */
  pairs?: TrainingPair[];
  /** Also this many synthetic questions drawn from the index (model-written when a model is configured). */
  synthetic?: number;
  lock?: LockOptions;
}

/** What `reindex` re-embeds with: embedder settings over the config's, or an embedder of your own. */
export interface ReindexTargetInput {
  config?: Partial<RagkitConfig["embedder"]>;
  embedder?: CallerEmbedder;
}

export interface ReindexCallOptions {
  signal?: AbortSignal;
  onProgress?: (p: ReindexProgress) => void;
  lock?: LockOptions;
}

/** How `Rag.copy` reads its config and schemas, waits for locks and reports progress. */
export interface CopyOptions {
  configFile?: string;
  fromSchema?: string;
  toSchema?: string;
  lock?: LockOptions;
  onProgress?: (p: CopyProgress) => void;
}

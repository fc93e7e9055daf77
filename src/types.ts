/**
 * The contract every part of ragkit depends on. Loaders produce Documents, chunkers turn them into
 * Chunks, stores return Hits, answerers return Answers with Citations. Offsets are always character
 * offsets (UTF-16 code units, as JavaScript strings index) into `Document.text`.
 */

/** Metadata values stay JSON-serialisable so every store can keep them. */
export type MetadataValue = string | number | boolean | null | string[] | number[];
export type Metadata = Record<string, MetadataValue>;

export interface Document {
  /** Stable for the same source: re-ingesting a file replaces the document with the same id. */
  id: string;
  /** Absolute path for files, or whatever the caller passed for in-memory documents. */
  source: string;
  title?: string;
  /** For text formats this is the file's own text, so citations point into the file itself. */
  text: string;
  metadata: Metadata;
  /** sha256 of the text, title and metadata: an unchanged hash means nothing to re-index. */
  contentHash: string;
}

export interface Chunk {
  /** `${documentId}#${index}`: re-chunking a document overwrites its chunks in place. */
  id: string;
  documentId: string;
  /** Exactly `document.text.slice(start, end)`. */
  text: string;
  start: number;
  end: number;
  index: number;
  metadata: Metadata;
  /**
   * What the embedder and the lexical index see: the text with its context (title, heading path)
   * in front. Defaults to `text`.
   */
  contextText?: string;
}

/** A chunk as the store returns it, with the fields a citation needs. */
export interface StoredChunk extends Chunk {
  source: string;
  title?: string;
}

export interface HitScores {
  dense?: number;
  lexical?: number;
  fused?: number;
  rerank?: number;
}

export interface Hit {
  chunk: StoredChunk;
  /** The score the hits are ordered by (higher is better). */
  score: number;
  scores: HitScores;
}

export interface Citation {
  /** The number printed in the answer, as in `[1]`. */
  marker: number;
  chunkId: string;
  documentId: string;
  source: string;
  start: number;
  end: number;
  /** Exactly `document.text.slice(start, end)`. */
  quote: string;
  /** The heading path of the section quoted (Markdown documents), as the answer names it. */
  headings?: string[];
}

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
}

export interface Answer {
  text: string;
  citations: Citation[];
  hits: Hit[];
  usage?: Usage;
  model: string;
  /** False when nothing in the index answered the question and the answer says so. */
  grounded: boolean;
  /** Markers the model wrote that point to no passage; they are not in `citations`. */
  droppedMarkers?: number[];
}

export type EmbedPurpose = "query" | "document";
export type SearchMode = "hybrid" | "dense" | "lexical";

/** Filters on what a search may return; every given condition must hold. */
export interface SearchFilter {
  /** Glob on the source path, matched against the absolute path and the path relative to cwd. */
  source?: string;
  documentId?: string | string[];
  /** Equality on metadata keys; an array value in the document matches if it contains the value. */
  metadata?: Record<string, string | number | boolean>;
}

/** Who holds an index's write lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The holder's kernel start time, so a reused pid is not mistaken for the holder. */
  processStart: string;
  /** What the holder is doing, e.g. "ingest ./docs". */
  command: string;
  since: string;
}

export interface LockOptions {
  /** false: fail at once with INDEX_LOCKED when another writer holds the lock. Default true. */
  wait?: boolean;
  /** Give up with INDEX_LOCKED after this long (default: wait as long as it takes). */
  timeoutMs?: number;
  /** Called once when the lock is busy and the caller starts waiting. */
  onWait?: (holder: LockHolder) => void;
  /** Shown to other processes that wait. */
  command?: string;
  signal?: AbortSignal;
}

export interface WriteLock {
  release(): Promise<void>;
}

/** What a folder watch did about one change (one log line each). */
export interface WatchEvent {
  kind: "ready" | "added" | "updated" | "removed" | "failed" | "error";
  path: string;
  code?: string;
  message?: string;
}

/** Where a training pair for `ragkit tune` came from. */
export type TrainingSource = "qrels" | "qa" | "synthetic" | "feedback";

/** A question and the documents that answer it (graded, > 0 relevant), from wherever it came. */
export interface TrainingPair {
  id: string;
  query: string;
  gold: Map<string, number>;
  /** Documents a user marked as not answering it: negatives before any mined one. */
  negatives?: string[];
  source: TrainingSource;
}

/** One epoch of adapter training: mean loss, and the early-stopping score (NaN when not validated). */
export interface EpochLog {
  epoch: number;
  loss: number;
  validation: number;
}

/** How far `tune` is: preparing pairs (done/total pairs), training (done/total epochs of `stage`), choosing. */
export interface TuneProgress {
  phase: "prepare" | "train" | "select";
  /** While training: "fold 1", "fold 2" (cross-validation) or "final". */
  stage?: string;
  done: number;
  total: number;
  epoch?: EpochLog;
}

export type ExportFormat = "openai-chat" | "alpaca";

/** The `--json` shape of `ragkit tune export`. */
export interface ExportReport {
  format: ExportFormat;
  written: number;
  /** Questions left out: no passage holds the gold answer or a gold document, or nothing was found. */
  skipped: number;
  fromGold: number;
  fromExtractive: number;
  tokens: { total: number; mean: number; max: number };
  /** Lines that break the format's rules (always 0 unless something is wrong). */
  invalid: number;
}

/** A thumbs up or down on an answer or a cited document, from the web UI or `POST /api/feedback`. */
export interface FeedbackInput {
  query: string;
  rating: 1 | -1;
  /** The document rated (a citation's or a hit's); without it the rating is about the answer only. */
  documentId?: string;
  chunkId?: string;
  answer?: string;
  comment?: string;
}

export interface FeedbackRecord extends FeedbackInput {
  id: string;
  at: string;
}

/** Retrieval settings `tune` chooses for a corpus; applied unless a search sets its own. */
export interface TunedSettings {
  denseWeight: number;
  fusion: "convex" | "rrf";
}

/** nDCG@10 of untuned and tuned search on the same queries, with a paired bootstrap interval. */
export interface TuneComparison {
  queries: number;
  untuned: number;
  tuned: number;
  delta: number;
  ci: [number, number];
  pValue: number;
  wins: number;
  losses: number;
  ties: number;
}

/** The `--json` shape of `ragkit tune`. */
export interface TuneReport {
  /** Whether the tuning is now active; false keeps the untuned settings (see `reason`). */
  applied: boolean;
  reason: string;
  version?: number;
  pairs: { total: number; dropped: number; bySource: Partial<Record<TrainingSource, number>>; hash: string };
  settings: TunedSettings;
  adapter: { used: boolean; bestEpoch: number; history: Array<{ epoch: number; loss: number; validation: number }> };
  /** Cross-validated on the training pairs (each fold scored by what the other fold trained). */
  validation: TuneComparison;
  /** Every configuration tried, with its cross-validated nDCG@10. */
  tried: Array<{ adapter: boolean; fusion: "convex" | "rrf"; denseWeight: number; ndcg: number }>;
  perQuery: Array<{ id: string; query: string; untuned: number; tuned: number }>;
  seconds: number;
}

/** The `--json` shape of `ragkit tune status`. */
export interface TuneStatus {
  active: boolean;
  version?: number;
  createdAt?: string;
  /** The tuning was made for another embedder (a reindex since): it is not applied. */
  stale: boolean;
  settings?: TunedSettings;
  adapter: boolean;
  pairs?: TuneReport["pairs"];
  validation?: TuneComparison;
  history: Array<{ version: number; createdAt: string; applied: boolean; reason: string }>;
}

/** One answer of an `eval answers` run, queued for human review. */
export interface ReviewItem {
  run: string;
  id: string;
  question: string;
  answer: string;
  gold: string[];
  citations: Array<{ marker: number; documentId: string; quote: string }>;
}

export interface ReviewRating {
  run: string;
  itemId: string;
  reviewer: string;
  /** 1 (wrong) to 5 (fully correct). */
  correctness: number;
  grounded: boolean;
  citationsCorrect: boolean;
  comment: string;
  createdAt: string;
}

/** Cohen's kappa of two reviewers over the items both rated (null when undefined). */
export interface ReviewAgreement {
  reviewers: [string, string];
  items: number;
  correctness: number | null;
  grounded: number | null;
  citationsCorrect: number | null;
}

/** Human review of answers, kept with the index (`Rag.reviews()`). */
export interface Reviews {
  /** Adds a run's answers to the queue; adding again is harmless. Returns how many were given. */
  addItems(items: Omit<ReviewItem, "run">[], run: string): number;
  /** The next item this reviewer has not rated, in run order. */
  next(run: string, reviewer: string): { item: ReviewItem; remaining: number } | undefined;
  rate(rating: Omit<ReviewRating, "createdAt">): void;
  ratings(run?: string): ReviewRating[];
  agreement(run: string): ReviewAgreement[];
  runs(): string[];
}

import { randomUUID } from "node:crypto";
import type { Embedder } from "../embed/types.js";
import { RagkitError } from "../errors.js";
import type { Manifest, Store } from "../store/types.js";
import type { FeedbackInput, FeedbackRecord, TrainingPair, TunedSettings, TuneProgress, TuneReport, TuneStatus } from "../types.js";
import { cleanPairs, pairsFromFeedback } from "./pairs.js";
import { type ActiveTune, loadActive, saveTune, setActive, tuneStatus } from "./state.js";
import { type RunTuneOptions, runTune } from "./tune.js";

const FEEDBACK = "feedback";
/** Ratings kept; the oldest go first (a rating is a few hundred bytes). */
const MAX_FEEDBACK = 20_000;

export interface TuneRunOptions extends Omit<RunTuneOptions, "onProgress" | "dropped"> {
  /** Pairs from a dataset or synthetic questions, gathered by the caller. */
  pairs?: TrainingPair[];
  /** Also train on the ratings stored with `addFeedback`. */
  feedback?: boolean;
  onProgress?: (progress: TuneProgress) => void;
}

/**
 * The tuning of one open index: follows the active tuning the manifest names (another process may
 * tune or reset), runs `tune`, and keeps feedback. Writes happen under the caller's write lock.
 */
export class Tuning {
  private active: ActiveTune | undefined;
  private loadedKey: string | undefined;

  constructor(private readonly store: Store) {}

  /** The tuning search applies now, refreshed when the manifest names another one. */
  async current(manifest: Manifest | undefined, embedder: Embedder): Promise<ActiveTune | undefined> {
    const key = manifest?.tune ? `${manifest.tune.key}\u0000${embedder.id}` : undefined;
    if (key !== this.loadedKey) {
      this.active = await loadActive(this.store, manifest, embedder.id);
      this.loadedKey = key;
    }
    return this.active;
  }

  /** Trains without the write lock (minutes, while others write); `locked` runs the save under it. */
  async run(
    embedder: Embedder,
    untuned: TunedSettings,
    depth: number,
    options: TuneRunOptions,
    locked: <T>(write: () => Promise<T>) => Promise<T>,
  ): Promise<TuneReport> {
    const gathered = [...(options.pairs ?? []), ...(options.feedback ? pairsFromFeedback(await this.feedback()) : [])];
    const known = new Set((await this.store.findDocuments([...new Set(gathered.flatMap((p) => [...p.gold.keys()]))])).map((d) => d.id));
    const { kept, dropped } = cleanPairs(gathered, (id) => known.has(id));
    if (kept.length < 4) {
      throw new RagkitError(
        "INVALID_ARGUMENT",
        `Only ${kept.length} usable training pairs (${dropped} dropped: duplicate, too short, or no gold document in this index); tune needs at least 4. Ingest the documents the questions refer to, or add --synthetic N.`,
      );
    }
    const { report, record } = await runTune({ store: this.store, embedder, untuned, depth }, kept, { ...options, dropped });
    const saved = await locked(() => saveTune(this.store, record));
    this.loadedKey = undefined;
    return { ...report, version: saved.version };
  }

  status(embedder: Embedder): Promise<TuneStatus> {
    return tuneStatus(this.store, embedder.id);
  }

  /** Back to untuned search; the stored versions stay, for the record. */
  async reset(): Promise<boolean> {
    const manifest = await this.store.readManifest();
    if (!manifest?.tune) return false;
    await setActive(this.store, undefined);
    this.loadedKey = undefined;
    return true;
  }

  async addFeedback(input: FeedbackInput): Promise<FeedbackRecord> {
    const record: FeedbackRecord = { ...input, id: randomUUID(), at: new Date().toISOString() };
    const all = await this.feedback();
    await this.store.writeMeta(FEEDBACK, [...all, record].slice(-MAX_FEEDBACK));
    return record;
  }

  async feedback(): Promise<FeedbackRecord[]> {
    return ((await this.store.readMeta(FEEDBACK)) as FeedbackRecord[] | undefined) ?? [];
  }
}

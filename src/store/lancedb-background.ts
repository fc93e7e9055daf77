import { faultPoint } from "./faults.js";
import type { LanceHandles } from "./lancedb-handles.js";
import type { IndexedLookups } from "./lancedb-lookups.js";
import { dropRetired } from "./lancedb-reindex-swap.js";
import type { Upkeep } from "./lancedb-upkeep.js";
import { storeError } from "./lancedb-write.js";
import type { WriteLock } from "./types.js";

/**
 * Index upkeep left running after the ingest call that asked for it has returned. LanceDB merges
 * every fragment below a million rows at each compaction, so the upkeep after an ingest call costs
 * in proportion to the table (0.5 s at 30,000 chunks, 15–49 s at a million), while the call's own
 * writes cost in proportion to the call: in calls of 10,000, the caller sat idle through most of
 * it. Now the next call appends while the last one's upkeep runs; LanceDB commits an append beside
 * a compaction without conflict. Writes that delete or replace rows, which would conflict, wait
 * for `idle()` first (see `LanceDbStore`), and the write lock stays held until the upkeep ends.
 */
export class BackgroundUpkeep {
  private running?: Promise<void>;
  private again = false;
  private failure?: unknown;

  constructor(private readonly run: () => Promise<void>) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts the upkeep, or has the running one go round once more for the rows written since it began. */
  start(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once no upkeep runs; never rejects (see `takeFailure`). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The error of an upkeep that failed since this was last asked, once: the next write reports it. */
  takeFailure(): unknown {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.run();
      } catch (error) {
        // Nothing stored is lost: the rows are written, only their indexes lag until the next upkeep.
        this.failure ??= error;
        return;
      }
    } while (this.again);
  }
}

/**
 * The write lock while a background upkeep needs it: its writer's release parks it instead, the
 * next writer of this process takes it over (other processes wait for both), and it is given back
 * once the upkeep ends with no writer holding it.
 */
export class LockKeeper {
  private parked?: WriteLock;

  constructor(
    private readonly background: BackgroundUpkeep,
    /** Called just before the lock is really given back. */
    private readonly onGiveBack: () => void,
  ) {}

  /** The parked lock, now the caller's; undefined when there is none to take over. */
  takeOver(): WriteLock | undefined {
    const parked = this.parked;
    this.parked = undefined;
    return parked;
  }

  /** A writer is done with `held`: given back, or parked while the upkeep runs. */
  async release(held: WriteLock): Promise<void> {
    if (!this.background.busy) return this.giveBack(held);
    this.parked = held;
    void this.background
      .idle()
      .then(() => {
        // A writer of this process took it over meanwhile: its own release decides.
        if (this.parked !== held) return;
        this.parked = undefined;
        return this.giveBack(held);
      })
      // A lock that cannot be removed is taken over once this process is gone.
      .catch(() => undefined);
  }

  /** On close: the upkeep waited for, a parked lock given back. */
  async close(): Promise<void> {
    await this.background.idle();
    const parked = this.takeOver();
    if (parked) await this.giveBack(parked);
  }

  private async giveBack(held: WriteLock): Promise<void> {
    this.onGiveBack();
    await held.release();
  }
}

/** A LanceDB store's compaction and index upkeep, inline or in the background, and the lock it keeps meanwhile. */
export class Maintenance {
  private readonly background = new BackgroundUpkeep(() => this.run());
  readonly keeper: LockKeeper;

  constructor(
    private readonly lance: LanceHandles,
    private readonly upkeep: Upkeep,
    private readonly lookups: IndexedLookups,
  ) {
    this.keeper = new LockKeeper(this.background, () => lookups.end());
  }

  wrote(rows: number): void {
    this.upkeep.wrote(rows);
  }

  /** Resolves once no background upkeep runs: writes that replace or delete rows wait for this. */
  idle(): Promise<void> {
    return this.background.idle();
  }

  /**
   * With `background`, starts the upkeep and returns; otherwise runs it. A background upkeep's
   * failure is thrown by the next call (or by `close`); the rows stay written either way.
   */
  async optimize(options: { background?: boolean }): Promise<void> {
    this.throwFailure();
    if (options.background) return this.background.start();
    await this.background.idle();
    this.throwFailure();
    await this.run();
  }

  /** Waits for a background upkeep, gives back a lock it kept, and throws what it failed with. */
  async close(): Promise<void> {
    await this.keeper.close();
    this.throwFailure();
  }

  private throwFailure(): void {
    const failure = this.background.takeFailure();
    if (failure) throw storeError(failure, "Compacting the index failed");
  }

  private async run(): Promise<void> {
    faultPoint("optimize:start");
    const mark = this.lookups.mark();
    this.lance.upkeeps++;
    try {
      const compacted = await this.upkeep.afterWrites(this.lance.upkeep(), () => dropRetired(this.lance));
      // Compacting brings the indexes up to date with every row written before it began.
      if (compacted) this.lookups.covered(mark);
    } catch (error) {
      this.lookups.forget();
      throw storeError(error, "Compacting the index failed");
    } finally {
      this.lance.upkeeps--;
    }
  }
}

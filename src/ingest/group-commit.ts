import type { DocumentWrite } from "../store/types.js";

interface Waiting {
  writes: DocumentWrite[];
  chunks: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export const chunksIn = (writes: DocumentWrite[]) => writes.reduce((n, w) => n + w.chunks.length, 0);

/**
 * Commits whole documents to the store, in the order they are handed over. Writes handed over while
 * a commit runs wait and go into the next commit together, up to `maxChunks` (group commit): each
 * commit has a fixed cost (a journal file, two table versions), which set the pace when embedding
 * was fast (10,000 short documents: 5.0 s in commits of 128 chunks, 3.2 s in commits of 1,024),
 * while with a slow embedder each batch is still written as soon as it has its vectors.
 */
export class GroupCommit {
  private readonly waiting: Waiting[] = [];
  private running = false;
  // After a failed commit nothing more is written, so what is stored stays a prefix of the run.
  private failed?: { error: unknown };
  /** Chunks handed over and not yet committed. */
  pending = 0;

  constructor(
    private readonly upsert: (writes: DocumentWrite[]) => Promise<void>,
    private readonly maxChunks: number,
  ) {}

  /** Resolves once these documents are committed (each commit is one atomic step of the store). */
  write(writes: DocumentWrite[]): Promise<void> {
    const chunks = chunksIn(writes);
    this.pending += chunks;
    const committed = new Promise<void>((resolve, reject) => this.waiting.push({ writes, chunks, resolve, reject }));
    void this.pump();
    return committed;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          if (this.failed) throw this.failed.error;
          await this.upsert(group.flatMap((g) => g.writes));
          for (const g of group) g.resolve();
        } catch (error) {
          this.failed ??= { error };
          for (const g of group) g.reject(error);
        } finally {
          this.pending -= group.reduce((n, g) => n + g.chunks, 0);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private nextGroup(): Waiting[] {
    const group: Waiting[] = [];
    let chunks = 0;
    for (let next = this.waiting[0]; next && (group.length === 0 || chunks + next.chunks <= this.maxChunks); next = this.waiting[0]) {
      group.push(next);
      chunks += next.chunks;
      this.waiting.shift();
    }
    return group;
  }
}

import { Worker } from "node:worker_threads";
import { RagkitError } from "../errors.js";

interface Pending {
  resolve(value: Float32Array[]): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  pending: Map<number, Pending>;
}

interface Job {
  id: number;
  texts: string[];
  pending: Pending;
}

interface Reply {
  id: number;
  flat?: Float32Array;
  dims?: number;
  error?: string;
}

/**
 * Runs a model in worker threads so embedding uses every core and never blocks the event loop.
 * Workers start lazily (a search needs one, an ingest all of them) and are unref'd while idle so
 * a forgotten `close()` never keeps the process alive.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly url: URL,
    readonly size: number,
  ) {}

  /**
   * Embeds one batch. `urgent` jobs (a search's query) go ahead of queued batches (an ingest, a
   * large /v1/embeddings request), so a search waits for at most the batches already running.
   */
  run(texts: string[], options: { urgent?: boolean } = {}): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(new RagkitError("EMBEDDING_FAILED", "The embedder was closed"));
    return new Promise((resolve, reject) => {
      const job = { id: this.nextId++, texts, pending: { resolve, reject } };
      if (options.urgent) this.queue.unshift(job);
      else this.queue.push(job);
      this.dispatch();
    });
  }

  /** Starts every worker now, so model loading overlaps with whatever the caller does next. */
  warm(): void {
    while (this.slots.length < this.size) this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.pending.reject(new RagkitError("ABORTED", "The embedder was closed"));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift() as Job;
      slot.busy = true;
      slot.pending.set(job.id, job.pending);
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, texts: job.texts });
    }
  }

  private spawn(): Slot {
    // Under tests the sources are TypeScript: the worker registers tsx before importing its entry.
    const worker = this.url.pathname.endsWith(".ts")
      ? new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(this.url.href)}); })`, {
          eval: true,
        })
      : new Worker(this.url);
    worker.unref();
    const slot: Slot = { worker, busy: false, pending: new Map() };
    worker.on("message", (reply: Reply) => {
      const pending = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      slot.busy = false;
      if (slot.pending.size === 0) worker.unref();
      if (pending) {
        if (reply.error !== undefined || !reply.flat || reply.dims === undefined) {
          pending.reject(new RagkitError("EMBEDDING_FAILED", `The embedding model failed: ${reply.error}`));
        } else {
          const dims = reply.dims;
          const flat = reply.flat;
          const count = dims === 0 ? 0 : flat.length / dims;
          pending.resolve(Array.from({ length: count }, (_, i) => flat.subarray(i * dims, (i + 1) * dims)));
        }
      }
      this.dispatch();
    });
    const fail = (error: Error) => {
      for (const pending of slot.pending.values()) {
        pending.reject(new RagkitError("EMBEDDING_FAILED", `The embedding worker stopped: ${error.message}`, { cause: error }));
      }
      slot.pending.clear();
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      if (!this.closed) this.dispatch();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!this.closed && code !== 0) fail(new Error(`exit code ${code}`));
      else if (!this.closed) fail(new Error("worker exited"));
    });
    this.slots.push(slot);
    return slot;
  }
}

import { type ErrorCode, RagkitError } from "../errors.js";
import { type Endpoint, type Isolation, spawnEndpoint } from "./worker-endpoint.js";

interface Pending {
  resolve(value: Float32Array[]): void;
  reject(error: Error): void;
}

interface Job {
  id: number;
  texts: string[];
  pending: Pending;
  /** Workers that died running this job; a second death fails it. */
  crashes: number;
  /** The current worker acknowledged it. */
  started?: boolean;
}

interface Slot {
  worker: Endpoint;
  /** The job this worker is running, if any: one at a time. */
  job?: Job;
}

interface Reply {
  id: number;
  /** The worker's acknowledgement that it got the job. */
  started?: boolean;
  flat?: Float32Array;
  dims?: number;
  error?: string;
  /** The error's code when the worker knows it (e.g. MODEL_NOT_FOUND while loading). */
  code?: ErrorCode;
}

export interface WorkerPoolOptions {
  /** Handed to every worker (which model to load, how). */
  workerData?: unknown;
  /** Names the model in errors: "The embedding model failed: …". */
  label?: string;
  /** Threads (default) or child processes. */
  isolation?: Isolation;
}

/**
 * Runs a model in worker threads (or child processes) so embedding uses every core and never
 * blocks the event loop. Workers start lazily (a search needs one, an ingest all of them) and are
 * unref'd while idle so a forgotten `close()` never keeps the process alive. A worker that dies is
 * replaced, and its batch retried once on the new one (embedding is pure); a batch that kills two
 * workers fails.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  private readonly label: string;

  constructor(
    private readonly url: URL,
    readonly size: number,
    private readonly options: WorkerPoolOptions = {},
  ) {
    this.label = options.label ?? "embedding model";
  }

  /**
   * Embeds one batch. `urgent` jobs (a search's query) go ahead of queued batches (an ingest, a
   * large /v1/embeddings request), so a search waits for at most the batches already running.
   */
  run(texts: string[], options: { urgent?: boolean } = {}): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(new RagkitError("EMBEDDING_FAILED", `The ${this.label} was closed`));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, texts, pending: { resolve, reject }, crashes: 0 };
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
    const slots = this.slots.splice(0);
    const jobs = [...this.queue.splice(0), ...slots.flatMap((slot) => (slot.job ? [slot.job] : []))];
    for (const job of jobs) job.pending.reject(new RagkitError("ABORTED", `The ${this.label} was closed`));
    await Promise.all(slots.map((slot) => slot.worker.stop()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift() as Job;
      slot.job = job;
      job.started = false;
      slot.worker.ref();
      slot.worker.send({ id: job.id, texts: job.texts });
    }
  }

  private spawn(): Slot {
    const worker = spawnEndpoint(this.url, this.options.isolation ?? "thread", this.options.workerData);
    worker.unref();
    const slot: Slot = { worker };
    worker.onMessage((message) => {
      const reply = message as Reply;
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      if (reply.started) {
        job.started = true;
        return;
      }
      slot.job = undefined;
      worker.unref();
      if (reply.error !== undefined || !reply.flat || reply.dims === undefined) {
        // A coded error (the model could not load) already says what to do.
        job.pending.reject(
          reply.code
            ? new RagkitError(reply.code, String(reply.error))
            : new RagkitError("EMBEDDING_FAILED", `The ${this.label} failed: ${reply.error}`),
        );
      } else {
        const { dims, flat } = reply;
        const count = dims === 0 ? 0 : flat.length / dims;
        job.pending.resolve(Array.from({ length: count }, (_, i) => flat.subarray(i * dims, (i + 1) * dims)));
      }
      this.dispatch();
    });
    worker.onExit((error) => {
      // Usually dead already; an endpoint that only errored is stopped so it cannot linger.
      void worker.stop();
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      const job = slot.job;
      slot.job = undefined;
      // A job the dead worker never acknowledged was not what killed it: it just goes elsewhere.
      if (job?.started) job.crashes++;
      if (job) job.started = false;
      if (job && job.crashes < 2 && !this.closed) this.queue.unshift(job);
      else
        job?.pending.reject(new RagkitError("EMBEDDING_FAILED", `The ${this.label}'s worker stopped: ${error.message}`, { cause: error }));
      if (!this.closed) this.dispatch();
    });
    this.slots.push(slot);
    return slot;
  }
}

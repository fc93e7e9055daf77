import type { Piscina } from "piscina";
import { type ErrorCode, RagkitError } from "../errors.js";
import type { Document } from "../types.js";
import type { LoadResult } from "./load-worker.js";
import type { LoadOptions } from "./types.js";

const fromSources = import.meta.url.endsWith(".ts");
const workerFile = new URL(fromSources ? "./load-worker-tsx.mjs" : "./load-worker.js", import.meta.url).href;

/**
 * Files are read and parsed on a loader thread (piscina), not on the main thread: a large PDF
 * takes pdf.js seconds, during which a server would answer nothing, not even `/health`. The
 * thread's heap is bounded too: a parse that runs away ends that file (`FILE_TOO_LARGE`), not the
 * process. Started on the first file and stopped with the index.
 */
export class LoaderPool {
  private pool?: Piscina;

  constructor(private readonly heapMb = 1024) {}

  async load(path: string, options: LoadOptions): Promise<Document[]> {
    this.pool ??= await this.start();
    let result: LoadResult;
    try {
      result = (await this.pool.run({ path, options })) as LoadResult;
    } catch (error) {
      const oom = (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
      throw new RagkitError(
        oom ? "FILE_TOO_LARGE" : "PARSE_FAILED",
        oom ? `${path}: reading it took more than ${this.heapMb} MB of memory` : `${path} could not be read: ${String(error)}`,
        { cause: error },
      );
    }
    if ("error" in result) throw new RagkitError(result.error.code as ErrorCode, result.error.message);
    return result.documents;
  }

  private async start(): Promise<Piscina> {
    const { Piscina } = await import("piscina");
    return new Piscina({
      filename: workerFile,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 10_000,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}

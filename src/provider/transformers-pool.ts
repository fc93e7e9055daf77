import { availableParallelism } from "node:os";
import type { Pooling } from "../embed/transformers-models.js";
import { WorkerPool } from "../embed/worker-pool.js";
import type { Dtype, LocatedModel } from "./transformers.js";
import type { TransformersWorkerData } from "./transformers-worker.js";

const workerUrl = new URL(`./transformers-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

export interface TransformersPoolOptions {
  task: TransformersWorkerData["task"];
  /** What the user named (a hub id is passed on as it is; a folder by its absolute path). */
  model: string;
  located: LocatedModel;
  dtype: Dtype;
  cacheDir?: string;
  pooling?: Pooling;
  workers: number;
  label: string;
  /** One request that loads the model, so a bad folder fails now rather than at first use. */
  probe: string[];
}

/**
 * Child processes holding a transformers.js model, the cores shared among them, with the model
 * loaded by one of them first (a hub id is downloaded once; the others find it in the cache).
 */
export async function startTransformersPool(o: TransformersPoolOptions): Promise<{ pool: WorkerPool; probe: Float32Array[] }> {
  const cores = availableParallelism();
  const workerData: TransformersWorkerData = {
    task: o.task,
    model: o.located.local ? o.located.folder : o.model,
    dtype: o.dtype,
    ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
    ...(o.pooling ? { pooling: o.pooling } : {}),
    threads: Math.max(1, Math.floor(cores / o.workers)),
  };
  const pool = new WorkerPool(workerUrl, o.workers, { workerData, label: o.label, isolation: "process" });
  try {
    return { pool, probe: await pool.run(o.probe, { urgent: true }) };
  } catch (error) {
    await pool.close();
    throw error;
  }
}

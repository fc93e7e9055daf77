import { RagkitError } from "../errors.js";
import type { Document } from "../types.js";
import { loadFile } from "./index.js";
import type { LoadOptions } from "./types.js";

export interface LoadTask {
  path: string;
  options: LoadOptions;
}

export type LoadResult = { documents: Document[] } | { error: { code: string; message: string } };

/**
 * A loader thread's task: one file read and parsed away from the main thread. Errors come back as
 * data, since a thrown error loses its `code` on the way between threads.
 */
export default async function loadInWorker(task: LoadTask): Promise<LoadResult> {
  try {
    return { documents: await loadFile(task.path, task.options) };
  } catch (error) {
    const e = RagkitError.isInstance(error) ? error : new RagkitError("READ_FAILED", `${task.path}: ${String(error)}`);
    return { error: { code: e.code, message: e.message } };
  }
}

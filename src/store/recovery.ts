import { RagkitError } from "../errors.js";
import type { Store } from "./types.js";

/**
 * Repairs what a crashed writer left half done, but only when no writer is at work: a live
 * writer's journal describes a batch in progress, not a crash.
 */
export async function recoverIfNoWriter(store: Store): Promise<void> {
  let lock: Awaited<ReturnType<Store["lock"]>>;
  try {
    lock = await store.lock({ wait: false, command: "recovery" });
  } catch (error) {
    if (RagkitError.isInstance(error) && error.code === "INDEX_LOCKED") return;
    // A read-only index (a mounted snapshot, another user's folder) can still be searched.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EROFS" || code === "EACCES" || code === "EPERM") return;
    throw error;
  }
  try {
    await store.recover();
  } finally {
    await lock.release();
  }
}

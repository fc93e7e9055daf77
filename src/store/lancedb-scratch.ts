import { lstat, readdir, rmdir, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

// What a vector index build leaves in the OS temp folder (lance#8992): its IVF shuffle spills the
// codes of every row there (~35 MB at 575,000 chunks × 384 dimensions) and nothing removes them,
// so a writer that builds indexes for weeks fills the disk one folder per build.
const SCRATCH_NAME = /^\.tmp[A-Za-z0-9]{6}$/;
const SHUFFLE_FILES = new Set(["shuffle_data.lance", "shuffle_data.spill", "shuffle_offsets.lance", "shuffle_offsets.spill"]);
// A build in another process may still be reading its spill: builds of a million rows take under
// two minutes here, so an hour without a write means nobody is.
const STALE_MS = 60 * 60_000;
// The temp folder is shared with everything else on the machine: look at most this often.
const SWEEP_INTERVAL_MS = 10 * 60_000;
// Folders looked at side by side: one by one, the ~3,000 empty `.tmp` folders of a busy temp
// folder took 0.75 s.
const PARALLEL = 32;

export interface SweepOptions {
  /** The temp folder Lance writes to (the process's `TMPDIR`). */
  dir?: string;
  /** Folders written to more recently than this are left alone. */
  staleMs?: number;
  now?: number;
}

/**
 * Removes the shuffle spills Lance's vector index builds leave behind, and nothing else: a folder
 * goes only when its name is Lance's temp pattern, it is ours, it holds nothing but shuffle files
 * and none of them was written to within `staleMs`. Returns how many folders it removed.
 */
export async function sweepShuffleScratch(options: SweepOptions = {}): Promise<number> {
  const dir = options.dir ?? tmpdir();
  const cutoff = (options.now ?? Date.now()) - (options.staleMs ?? STALE_MS);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => SCRATCH_NAME.test(name));
  let removed = 0;
  for (let at = 0; at < names.length; at += PARALLEL) {
    const done = await Promise.all(
      names.slice(at, at + PARALLEL).map((name) =>
        // Gone meanwhile, or not ours to remove: either way, not a spill to clean.
        removeIfStaleSpill(path.join(dir, name), cutoff).catch(() => false),
      ),
    );
    removed += done.filter(Boolean).length;
  }
  return removed;
}

async function removeIfStaleSpill(folder: string, cutoff: number): Promise<boolean> {
  // Listed first: most such folders in a shared temp folder are someone's empty ones, done with one call.
  const entries = await readdir(folder);
  if (entries.length === 0 || entries.some((entry) => !SHUFFLE_FILES.has(entry))) return false;
  const info = await lstat(folder);
  if (!info.isDirectory() || (process.getuid && info.uid !== process.getuid())) return false;
  const files = await Promise.all(entries.map((entry) => lstat(path.join(folder, entry))));
  if (files.some((file) => !file.isFile() || file.mtimeMs > cutoff) || info.mtimeMs > cutoff) return false;
  for (const entry of entries) await unlink(path.join(folder, entry));
  await rmdir(folder);
  return true;
}

/** Sweeps at most every `SWEEP_INTERVAL_MS` in this process, the first time at once. */
export class ScratchSweeper {
  private lastAt = Number.NEGATIVE_INFINITY;

  async maybeSweep(now = Date.now()): Promise<void> {
    if (now - this.lastAt < SWEEP_INTERVAL_MS) return;
    this.lastAt = now;
    await sweepShuffleScratch({ now });
  }
}

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { RagkitError } from "../errors.js";
import type { LockHolder, LockOptions, WriteLock } from "./types.js";

/** Kernel start time of a process (Linux): with the pid it names one process, even after pid reuse. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

// The holder refreshes its lock this often; a lock from another host that nobody refreshed for
// STALE_MS belongs to a dead process (a process on this host is checked by pid instead).
export const HEARTBEAT_MS = 5_000;
const STALE_MS = 30_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether a lock's holder is gone: by pid on this host, by its last heartbeat from another. */
export function holderGone(holder: LockHolder, heartbeatAgeMs: number): boolean {
  if (holder.host === me.host) {
    if (!isAlive(holder.pid)) return true;
    const start = processStart(holder.pid);
    return start !== undefined && holder.processStart !== "" && start !== holder.processStart;
  }
  return heartbeatAgeMs > STALE_MS;
}

/** This process, as a lock names its holder. */
export const me: LockHolder = {
  pid: process.pid,
  host: hostname(),
  processStart: processStart(process.pid) ?? "",
  command: "",
  since: "",
};

export function lockedError(holder: LockHolder | undefined): RagkitError {
  const who = holder
    ? `process ${holder.pid} on ${holder.host}${holder.command ? ` (${holder.command})` : ""}${holder.since ? ` since ${holder.since}` : ""}`
    : "another process";
  return new RagkitError("INDEX_LOCKED", `The index is being written by ${who}; wait for it to finish, or retry later`, {
    details: holder ? { holder } : {},
  });
}

// Writers of one process queue here first: the cross-process lock is held per process, not per caller.
const localQueues = new Map<string, Promise<void>>();

/**
 * A process-wide writer lock: callers of this process take turns (keyed by `key`), and the one
 * whose turn it is takes the cross-process lock with `acquire`, which resolves to its release.
 */
export async function acquireQueued(key: string, options: LockOptions, acquire: () => Promise<() => Promise<void>>): Promise<WriteLock> {
  const previous = localQueues.get(key) ?? Promise.resolve();
  let releaseLocal!: () => void;
  const mine = new Promise<void>((resolve) => {
    releaseLocal = resolve;
  });
  const chained = previous.then(() => mine);
  localQueues.set(key, chained);
  let releaseRemote: () => Promise<void>;
  try {
    await waitLocal(previous, options);
    releaseRemote = await acquire();
  } catch (error) {
    releaseLocal();
    if (localQueues.get(key) === chained) localQueues.delete(key);
    throw error;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        await releaseRemote();
      } finally {
        releaseLocal();
        if (localQueues.get(key) === chained) localQueues.delete(key);
      }
    },
  };
}

async function waitLocal(previous: Promise<void>, options: LockOptions): Promise<void> {
  if (options.wait === false) {
    const settled = await Promise.race([previous.then(() => true), sleep(0).then(() => false)]);
    if (!settled) throw lockedError({ ...me, command: "this process", since: "" });
    return;
  }
  const timeout = options.timeoutMs;
  if (timeout === undefined) return previous;
  const done = await Promise.race([previous.then(() => true), sleep(timeout, undefined, { ref: false }).then(() => false)]);
  if (!done) throw lockedError({ ...me, command: "another request of this process", since: "" });
}

/** One cross-process lock, as `pollForLock` drives it. */
export interface LockAttempt<H extends LockHolder> {
  /** Takes the lock if it is free; true when taken. */
  take(): Promise<boolean>;
  /** Who holds it and whether that holder is gone; undefined when it was just freed (try again at once). */
  inspect(): Promise<{ holder: H | undefined; gone: boolean } | undefined>;
  /** Removes a gone holder's lock (only that one: another waiter may have taken it meanwhile). */
  takeOver(holder: H | undefined): Promise<void>;
}

/**
 * Waits for a cross-process lock: taken when free, taken over when its holder is gone, waited
 * for otherwise (telling `onWait` once), or refused with INDEX_LOCKED under `wait: false` or when
 * `timeoutMs` runs out. The same for the lock file and the Postgres lock row.
 */
export async function pollForLock<H extends LockHolder>(lock: LockAttempt<H>, options: LockOptions, pollMs: number): Promise<void> {
  const started = Date.now();
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new RagkitError("ABORTED", "Stopped while waiting for another process to finish writing the index");
    if (await lock.take()) return;
    const current = await lock.inspect();
    if (!current) continue;
    if (current.gone) {
      await lock.takeOver(current.holder);
      continue;
    }
    if (options.wait === false) throw lockedError(current.holder);
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) throw lockedError(current.holder);
    if (!told && current.holder) {
      told = true;
      options.onWait?.(current.holder);
    }
    await sleep(pollMs);
  }
}

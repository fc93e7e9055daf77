import { readFileSync } from "node:fs";
import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { RagkitError } from "../errors.js";
import type { LockHolder, LockOptions, WriteLock } from "./types.js";

const POLL_MS = 100;
// The holder touches the file this often; a lock from another host that nobody touched for
// STALE_MS belongs to a dead process (a process on this host is checked by pid instead).
const HEARTBEAT_MS = 5_000;
const STALE_MS = 30_000;

/** Kernel start time of a process (Linux): with the pid it names one process, even after pid reuse. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const me: LockHolder = {
  pid: process.pid,
  host: hostname(),
  processStart: processStart(process.pid) ?? "",
  command: "",
  since: "",
};

/** Whether the process that wrote this lock is gone. */
async function isStale(file: string, holder: LockHolder | undefined): Promise<boolean> {
  if (!holder) {
    // Torn or empty: a writer died between creating and filling it, or is filling it right now.
    const age = Date.now() - (await stat(file)).mtimeMs;
    return age > 2_000;
  }
  if (holder.host === me.host) {
    if (!isAlive(holder.pid)) return true;
    const start = processStart(holder.pid);
    return start !== undefined && holder.processStart !== "" && start !== holder.processStart;
  }
  return Date.now() - (await stat(file)).mtimeMs > STALE_MS;
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<LockHolder>;
    return typeof parsed.pid === "number" && typeof parsed.host === "string" ? (parsed as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

async function tryCreate(file: string, command: string): Promise<boolean> {
  try {
    const handle = await open(file, "wx");
    try {
      const holder: LockHolder = { ...me, command, since: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(holder));
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/**
 * Removes a dead holder's lock. Two waiters may find the same dead holder: the takeover itself is
 * guarded by a second exclusive file, so only one of them removes it, and it re-checks first.
 */
async function takeOverStale(file: string): Promise<void> {
  const guard = `${file}.takeover`;
  try {
    const handle = await open(guard, "wx");
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // A guard left by a process killed inside this tiny section.
    const age = Date.now() - (await stat(guard).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > 5_000) await rm(guard, { force: true });
    return;
  }
  try {
    if (await isStale(file, await readHolder(file)).catch(() => false)) await rm(file, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

// Writers of one process queue here first: the lock file is per process, not per caller.
const localQueues = new Map<string, Promise<void>>();

/**
 * A writer lock across processes: an exclusively created file naming its holder (pid, host, the
 * process's start time, the command). A lock whose process is dead is taken over; a live one is
 * waited for (or refused with INDEX_LOCKED when `wait` is false or the wait times out).
 */
export async function acquireFileLock(file: string, options: LockOptions = {}): Promise<WriteLock> {
  const previous = localQueues.get(file) ?? Promise.resolve();
  let releaseLocal!: () => void;
  const mine = new Promise<void>((resolve) => {
    releaseLocal = resolve;
  });
  const chained = previous.then(() => mine);
  localQueues.set(file, chained);
  try {
    await waitLocal(previous, options);
    await acquireFile(file, options);
  } catch (error) {
    releaseLocal();
    if (localQueues.get(file) === chained) localQueues.delete(file);
    throw error;
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(file, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      const holder = await readHolder(file);
      if (holder?.pid === me.pid && holder.host === me.host) await rm(file, { force: true });
      releaseLocal();
      if (localQueues.get(file) === chained) localQueues.delete(file);
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

async function acquireFile(file: string, options: LockOptions): Promise<void> {
  const started = Date.now();
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new RagkitError("ABORTED", "Stopped while waiting for another process to finish writing the index");
    if (await tryCreate(file, options.command ?? process.argv.slice(2, 4).join(" "))) return;
    const holder = await readHolder(file);
    if (await isStale(file, holder).catch(() => false)) {
      await takeOverStale(file);
      continue;
    }
    if (options.wait === false) throw lockedError(holder);
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) throw lockedError(holder);
    if (!told && holder) {
      told = true;
      options.onWait?.(holder);
    }
    await sleep(POLL_MS);
  }
}

export function lockedError(holder: LockHolder | undefined): RagkitError {
  const who = holder
    ? `process ${holder.pid} on ${holder.host}${holder.command ? ` (${holder.command})` : ""}${holder.since ? ` since ${holder.since}` : ""}`
    : "another process";
  return new RagkitError("INDEX_LOCKED", `The index is being written by ${who}; wait for it to finish, or retry later`, {
    details: holder ? { holder } : {},
  });
}

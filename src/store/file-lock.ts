import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import { acquireQueued, HEARTBEAT_MS, holderGone, me, pollForLock } from "./lock-queue.js";
import type { LockHolder, LockOptions, WriteLock } from "./types.js";

const POLL_MS = 100;

/** Whether the process that wrote this lock is gone. */
async function isStale(file: string, holder: LockHolder | undefined): Promise<boolean> {
  const age = Date.now() - (await stat(file)).mtimeMs;
  // Torn or empty: a writer died between creating and filling it, or is filling it right now.
  if (!holder) return age > 2_000;
  return holderGone(holder, age);
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

/**
 * A writer lock across processes: an exclusively created file naming its holder (pid, host, the
 * process's start time, the command). A lock whose process is dead is taken over; a live one is
 * waited for (or refused with INDEX_LOCKED when `wait` is false or the wait times out).
 */
export function acquireFileLock(file: string, options: LockOptions = {}): Promise<WriteLock> {
  return acquireQueued(file, options, async () => {
    await acquireFile(file, options);
    const heartbeat = setInterval(() => {
      const now = new Date();
      void utimes(file, now, now).catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    return async () => {
      clearInterval(heartbeat);
      const holder = await readHolder(file);
      if (holder?.pid === me.pid && holder.host === me.host) await rm(file, { force: true });
    };
  });
}

function acquireFile(file: string, options: LockOptions): Promise<void> {
  const command = options.command ?? process.argv.slice(2, 4).join(" ");
  return pollForLock<LockHolder>(
    {
      take: () => tryCreate(file, command),
      inspect: async () => {
        const holder = await readHolder(file);
        return { holder, gone: await isStale(file, holder).catch(() => false) };
      },
      takeOver: () => takeOverStale(file),
    },
    options,
    POLL_MS,
  );
}

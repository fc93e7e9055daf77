import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Pool } from "pg";
import { RagkitError } from "../errors.js";
import { acquireQueued, HEARTBEAT_MS, holderGone, lockedError, me } from "./lock-queue.js";
import type { PgNames } from "./postgres-schema.js";
import type { LockHolder, LockOptions, WriteLock } from "./types.js";

const POLL_MS = 200;

/**
 * The write lock of a Postgres index: a row naming its holder, refreshed by a heartbeat. A row
 * (not a session advisory lock) because the lock must outlive no connection in particular, work
 * through poolers that hand connections around, and say who holds it; a dead holder (its pid gone
 * on this host, or no heartbeat for 30 s from another) is taken over, as with the file lock.
 */
export function acquirePgLock(pool: Pool, n: PgNames, options: LockOptions = {}): Promise<WriteLock> {
  return acquireQueued(`pg:${n.locks}`, options, async () => {
    const token = randomUUID();
    const holder: LockHolder & { token: string } = {
      ...me,
      command: options.command ?? process.argv.slice(2, 4).join(" "),
      since: new Date().toISOString(),
      token,
    };
    await acquireRow(pool, n, holder, options);
    const heartbeat = setInterval(() => {
      void pool
        .query(`UPDATE ${n.locks} SET heartbeat = now() WHERE name = 'write' AND holder->>'token' = $1`, [token])
        .catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    return async () => {
      clearInterval(heartbeat);
      await pool.query(`DELETE FROM ${n.locks} WHERE name = 'write' AND holder->>'token' = $1`, [token]);
    };
  });
}

async function acquireRow(pool: Pool, n: PgNames, holder: LockHolder & { token: string }, options: LockOptions): Promise<void> {
  const started = Date.now();
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new RagkitError("ABORTED", "Stopped while waiting for another process to finish writing the index");
    const taken = await pool.query(
      `INSERT INTO ${n.locks} (name, holder, heartbeat) VALUES ('write', $1, now()) ON CONFLICT (name) DO NOTHING RETURNING name`,
      [JSON.stringify(holder)],
    );
    if (taken.rowCount === 1) return;
    const current = await pool.query<{ holder: LockHolder & { token: string }; age: number }>(
      `SELECT holder, extract(epoch FROM now() - heartbeat) * 1000 AS age FROM ${n.locks} WHERE name = 'write'`,
    );
    const row = current.rows[0];
    if (!row) continue;
    if (holderGone(row.holder, Number(row.age))) {
      // Only the dead holder's row goes: another waiter may have taken it over meanwhile.
      await pool.query(`DELETE FROM ${n.locks} WHERE name = 'write' AND holder->>'token' = $1`, [row.holder.token]);
      continue;
    }
    if (options.wait === false) throw lockedError(row.holder);
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) throw lockedError(row.holder);
    if (!told) {
      told = true;
      options.onWait?.(row.holder);
    }
    await sleep(POLL_MS);
  }
}

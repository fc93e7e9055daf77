import { randomUUID } from "node:crypto";
import type { Pool } from "pg";
import { acquireQueued, HEARTBEAT_MS, holderGone, me, pollForLock } from "./lock-queue.js";
import type { PgNames } from "./postgres-schema.js";
import type { LockHolder, LockOptions, WriteLock } from "./types.js";

const POLL_MS = 200;

type RowHolder = LockHolder & { token: string };

/**
 * The write lock of a Postgres index: a row naming its holder, refreshed by a heartbeat. A row
 * (not a session advisory lock) because the lock must outlive no connection in particular, work
 * through poolers that hand connections around, and say who holds it; a dead holder (its pid gone
 * on this host, or no heartbeat for 30 s from another) is taken over, as with the file lock.
 */
export function acquirePgLock(pool: Pool, n: PgNames, options: LockOptions = {}): Promise<WriteLock> {
  return acquireQueued(`pg:${n.locks}`, options, async () => {
    const token = randomUUID();
    const holder: RowHolder = {
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

function acquireRow(pool: Pool, n: PgNames, holder: RowHolder, options: LockOptions): Promise<void> {
  return pollForLock<RowHolder>(
    {
      take: async () =>
        (
          await pool.query(
            `INSERT INTO ${n.locks} (name, holder, heartbeat) VALUES ('write', $1, now()) ON CONFLICT (name) DO NOTHING RETURNING name`,
            [JSON.stringify(holder)],
          )
        ).rowCount === 1,
      inspect: async () => {
        const current = await pool.query<{ holder: RowHolder; age: number }>(
          `SELECT holder, extract(epoch FROM now() - heartbeat) * 1000 AS age FROM ${n.locks} WHERE name = 'write'`,
        );
        const row = current.rows[0];
        return row && { holder: row.holder, gone: holderGone(row.holder, Number(row.age)) };
      },
      takeOver: async (gone) => {
        await pool.query(`DELETE FROM ${n.locks} WHERE name = 'write' AND holder->>'token' = $1`, [gone?.token]);
      },
    },
    options,
    POLL_MS,
  );
}

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("./pglite-server.ts", import.meta.url));

export interface PgServer {
  /** postgres://… for the `pg` client. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a PGlite server process (see pglite-server.ts) and resolves once it listens: the tests'
 * and the scale bench's PostgreSQL when no other is given. With RAGKIT_TEST_PG_URL set (a real
 * server's URL, as a user allowed to create databases), a fresh database there instead, dropped at
 * stop, so the same tests run against the server a user has.
 */
export async function startPostgres(dataDir = "", options: { vector?: boolean } = {}): Promise<PgServer> {
  const real = process.env.RAGKIT_TEST_PG_URL;
  if (real && options.vector !== false) return freshDatabase(real);
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SERVER, dataDir, options.vector === false ? "no-vector" : ""], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.startsWith("READY ")) resolve(line.slice(6).trim());
    });
    child.once("exit", (code) => reject(new Error(`PGlite server exited (${code}) before it listened`)));
  });
  return {
    url: `postgres://postgres:postgres@${address}/postgres`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function freshDatabase(adminUrl: string): Promise<PgServer> {
  const { default: pg } = await import("pg");
  const name = `ragkit_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    stop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

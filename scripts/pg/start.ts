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
 * and the scale bench's PostgreSQL when no other is given.
 */
export async function startPostgres(dataDir = "", options: { vector?: boolean } = {}): Promise<PgServer> {
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

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";

export { random } from "../../src/eval/random.js";

const MAIN = path.resolve(import.meta.dirname, "../../src/cli/main.ts");
/** Where the test suite's global setup transpiles `src/` (it sets RAGKIT_TEST_CLI to the CLI there). */
export const TEST_CLI_DIR = path.resolve(import.meta.dirname, "../../.test-cli");

/**
 * How to start the CLI from source: the test suite's transpiled copy when there is one (starting
 * under tsx costs ~2 s a process), else tsx on `src/`.
 */
export function cliCommand(args: string[]): string[] {
  const built = process.env.RAGKIT_TEST_CLI;
  return built ? [built, ...args] : ["--import", "tsx", MAIN, ...args];
}

export interface Run {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code (null when killed) and everything printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves on the first stderr line that matches. */
  line(pattern: RegExp): Promise<string>;
}

/** The CLI from source as a child process, for the proof scripts. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, cliCommand(args), { env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
    for (const w of [...waiters]) {
      const hit = stderr.split("\n").find((l) => w.pattern.test(l));
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, line: (pattern) => new Promise((resolve) => waiters.push({ pattern, resolve })) };
}

export const WORDS =
  "harbour ferry lantern granite orchard compass glacier meadow quarry saddle thistle voyage willow beacon cobalt dune ember falcon garnet hollow".split(
    " ",
  );

/** A Markdown note with a distinctive token and enough text for a couple of chunks now and then. */
export function note(n: number, version: number, rand: () => number): string {
  const paragraphs = 1 + Math.floor(rand() * 4);
  const body = Array.from({ length: paragraphs }, () =>
    Array.from({ length: 60 + Math.floor(rand() * 200) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" "),
  );
  return `# Note ${n}\n\nNote ${n} version ${version} mentions token${n}x${version}.\n\n${body.join(".\n\n")}.\n`;
}

/** Stops a server started with `cli` and removes the run's folder. */
export async function finish(server: Run, root: string): Promise<void> {
  server.child.kill("SIGTERM");
  await server.done;
  await rm(root, { recursive: true, force: true });
}

import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
// Inside the checkout, so the bundle finds koffi in node_modules.
const OUT = path.join(ROOT, "node_modules", ".cache", "ragkit-arena-test");
const glibc =
  process.platform === "linux" &&
  Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

/** Runs a bundled child on plain Node and returns the JSON of its last line. */
async function child<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const base = { ...process.env };
  delete base.MALLOC_ARENA_MAX;
  const { stdout } = await promisify(execFile)(process.execPath, args, { env: { ...base, ...env } });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as T;
}

function arenasWith(max: number, env: NodeJS.ProcessEnv = {}): Promise<{ outcome: string; before: number; after: number }> {
  return child([path.join(OUT, "arena-child.js"), String(max)], env);
}

describe.skipIf(!glibc)("malloc arenas (Linux, glibc)", () => {
  beforeAll(async () => {
    await build({
      entryPoints: [path.join(ROOT, "test/helpers/arena-child.ts"), path.join(ROOT, "test/helpers/trim-child.ts")],
      bundle: true,
      packages: "external",
      platform: "node",
      format: "esm",
      outdir: OUT,
      logLevel: "warning",
    });
  });

  it("with the cap, threads started afterwards share the arenas there are; without it each gets one", async () => {
    const capped = await arenasWith(2);
    expect(capped.outcome).toBe("capped");
    expect(capped.after).toBeLessThanOrEqual(capped.before);
    const uncapped = await arenasWith(0);
    expect(uncapped.outcome).toBe("off");
    expect(uncapped.after).toBeGreaterThan(uncapped.before + 4);
  });

  it("leaves the allocator to MALLOC_ARENA_MAX when the environment sets it", async () => {
    const result = await arenasWith(2, { MALLOC_ARENA_MAX: "3" });
    expect(result.outcome).toBe("environment");
    expect(result.after).toBeLessThanOrEqual(3);
  });

  it("malloc_trim gives back to the system what was freed inside the heap, which otherwise stays resident", async () => {
    const rss = (mode: string) =>
      child<{ trimmed: boolean; before: number; after: number }>(["--expose-gc", path.join(OUT, "trim-child.js"), mode]);
    const MB = 1024 * 1024;
    const kept = await rss("keep");
    expect(kept.after).toBeGreaterThan(kept.before - 20 * MB);
    const trimmed = await rss("trim");
    expect(trimmed.trimmed).toBe(true);
    expect(trimmed.after).toBeLessThan(trimmed.before - 100 * MB);
  });
});

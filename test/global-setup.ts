import { execFileSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";
import { TEST_CLI_DIR } from "../scripts/proof/cli.js";

const ROOT = path.join(import.meta.dirname, "..");

/**
 * Before any test file runs: bundles the web UI (browser tests in parallel workers test the UI as
 * it is in the source tree, and a bundle rebuilt by one worker while another serves it could be
 * read half-written), and transpiles `src/` file by file for the CLI the tests spawn. Under tsx
 * each of the suite's hundreds of CLI processes spent ~2 s more starting (its loader thread
 * transforms every module), and a build made here is never stale.
 */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")], { stdio: "inherit" });
  const src = path.join(ROOT, "src");
  rmSync(TEST_CLI_DIR, { recursive: true, force: true });
  buildSync({
    // Next to src/, so the paths the code resolves from its own location (samples, dist/web, package.json) hold.
    entryPoints: readdirSync(src, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .map((file) => path.join(src, file)),
    outdir: TEST_CLI_DIR,
    outbase: src,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "inline",
    logLevel: "warning",
  });
  process.env.RAGKIT_TEST_CLI = path.join(TEST_CLI_DIR, "cli", "main.js");
}

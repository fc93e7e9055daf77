import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * Bundles the web UI once, before any test file runs: browser tests (several files, in parallel
 * workers) test the UI as it is in the source tree, and a bundle rebuilt by one worker while
 * another serves it could be read half-written.
 */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(import.meta.dirname, "..", "scripts", "build-web.mjs")], { stdio: "inherit" });
}

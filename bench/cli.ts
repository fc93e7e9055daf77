/**
 * `npm run bench -- --cli`: wall time of one `ragkit search` process on an 80-document index,
 * lexical and hybrid, median of 5 (what a user waits for at the prompt), next to Node's own
 * start-up measured in the same run (the floor no CLI goes below). Runs the built CLI (dist/).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BeirDocument, readJsonl } from "../src/eval/beir.js";

const CLI = path.resolve(import.meta.dirname, "../dist/cli/main.js");
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function wallSeconds(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export async function runCliBench(dataset: string): Promise<void> {
  if (!existsSync(CLI)) throw new Error("dist/cli/main.js is missing: run `npm run build` first");
  const root = await mkdtemp(path.join(tmpdir(), "ragkit-bench-cli-"));
  try {
    const docs = path.join(root, "docs");
    await mkdir(docs);
    let n = 0;
    for await (const doc of readJsonl<BeirDocument>(path.join(dataset, "corpus.jsonl"))) {
      await writeFile(path.join(docs, `${doc._id}.txt`), `${doc.title ?? ""}\n\n${doc.text ?? ""}`);
      if (++n === 80) break;
    }
    const index = path.join(root, "index");
    execFileSync(process.execPath, [CLI, "--index", index, "ingest", docs, "--json"], { stdio: "ignore" });
    const search = (mode: string) => [CLI, "--index", index, "search", "when did the war end", "--mode", mode];
    const measure = (args: string[]) => median(Array.from({ length: RUNS }, () => wallSeconds(args)));
    const floor = measure(["-e", "0"]);
    const lexical = measure(search("lexical"));
    const hybrid = measure(search("hybrid"));
    console.log(`\nragkit search, one process on an index of ${n} documents (median of ${RUNS} wall times)`);
    console.log(`  node -e 0 (the floor):  ${floor.toFixed(2)} s`);
    console.log(`  lexical:                ${lexical.toFixed(2)} s  (${(lexical / floor).toFixed(1)}× the floor; goal < 0.6 s)`);
    console.log(`  hybrid:                 ${hybrid.toFixed(2)} s  (${(hybrid / floor).toFixed(1)}× the floor; goal < 1.0 s)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

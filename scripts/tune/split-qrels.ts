/**
 * Splits a BEIR folder's judged queries in two halves by a fixed seed, for tuning on one and
 * evaluating on the other: writes OUT/qrels/train.tsv and OUT/qrels/test.tsv, with corpus.jsonl and
 * queries.jsonl linked from the original.
 *
 *   node --import tsx scripts/tune/split-qrels.ts ../shared/data/cisi /tmp/cisi-split [--seed 42] [--split test]
 */
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { random } from "../../src/eval/random.js";

const { positionals, values } = parseArgs({ allowPositionals: true, options: { seed: { type: "string" }, split: { type: "string" } } });
const [from, to] = positionals;
if (!from || !to) throw new Error("usage: split-qrels.ts FROM_DIR OUT_DIR [--seed N] [--split NAME]");
const lines = (await readFile(path.join(from, "qrels", `${values.split ?? "test"}.tsv`), "utf8")).split(/\r?\n/).filter((l) => l.trim());
const header = /^-?\d+$/.test(lines[0]?.split(/\s+/)[2] ?? "") ? undefined : lines.shift();
const queries = [...new Set(lines.map((l) => l.split(/\s+/)[0] as string))].sort();
const next = random(Number(values.seed ?? 42));
const shuffled = queries.map((q) => ({ q, r: next() })).sort((a, b) => a.r - b.r);
const train = new Set(shuffled.slice(0, Math.floor(queries.length / 2)).map((x) => x.q));
await mkdir(path.join(to, "qrels"), { recursive: true });
for (const file of ["corpus.jsonl", "queries.jsonl"]) await symlink(path.resolve(from, file), path.join(to, file)).catch(() => undefined);
const write = (name: string, keep: (q: string) => boolean) =>
  writeFile(
    path.join(to, "qrels", `${name}.tsv`),
    `${[...(header ? [header] : []), ...lines.filter((l) => keep(l.split(/\s+/)[0] as string))].join("\n")}\n`,
  );
await write("train", (q) => train.has(q));
await write("test", (q) => !train.has(q));
console.log(`${train.size} training queries, ${queries.length - train.size} test queries → ${to}`);

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { readFileSync } from "node:fs";
import { Rag } from "../src/rag.ts";
const dir = await mkdtemp(path.join(tmpdir(), "rc-"));
const lines = readFileSync("../shared/data/squad-1k/corpus.jsonl", "utf8").split("\n").filter(Boolean).slice(0, 300).map((l) => JSON.parse(l));
const rag = await Rag.open({ dir });
await rag.ingest(lines.map((d: { _id: string; text: string }) => ({ id: d._id, source: `s://${d._id}`, text: d.text })));
const qs = readFileSync("../shared/data/squad-1k/queries.jsonl", "utf8").split("\n").filter(Boolean).slice(0, 200).map((l) => JSON.parse(l).text as string);
for (const mode of ["lexical", "hybrid"] as const) {
  for (const q of qs.slice(0, 20)) await rag.search(q, { mode });
  const times: number[] = [];
  for (const q of qs) { const t = performance.now(); await rag.search(q, { mode }); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log(mode, "p50", times[100]?.toFixed(2), "p95", times[190]?.toFixed(2));
}
await rag.close();

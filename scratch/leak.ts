import { mkdtempSync, readFileSync } from "node:fs";
import { Rag } from "../src/rag.ts";
const lines = readFileSync("../shared/data/squad-1k/corpus.jsonl", "utf8").split("\n").filter(Boolean).slice(0, 300).map((l) => JSON.parse(l));
const qs = readFileSync("../shared/data/squad-1k/queries.jsonl", "utf8").split("\n").filter(Boolean).slice(0, 300).map((l) => JSON.parse(l).text as string);
const rag = await Rag.open({ dir: mkdtempSync("/tmp/leak-") });
await rag.ingest(lines.map((d: { _id: string; text: string }) => ({ id: d._id, source: `s://${d._id}`, text: d.text })));
const mode = process.argv[2] ?? "all";
const start = Date.now();
let i = 0;
const mem = () => { const m = process.memoryUsage(); return `rss ${(m.rss / 1e6).toFixed(0)} heap ${(m.heapUsed / 1e6).toFixed(0)} ext ${(m.external / 1e6).toFixed(0)} ab ${(m.arrayBuffers / 1e6).toFixed(0)}`; };
let last = 0;
while (Date.now() - start < 150_000) {
  const q = qs[i % qs.length] as string;
  if (mode !== "search" && i % 10 === 9) await rag.ingest([{ id: `soak-${i % 200}`, source: `soak://${i % 200}`, text: `${q} (revision ${i})` }]);
  else if (mode !== "search" && i % 5 === 2) await rag.ask(q);
  else await rag.search(q, { k: 5 });
  i++;
  if (Date.now() - last > 15_000) { last = Date.now(); console.log(((Date.now() - start) / 1000).toFixed(0), "s", i, mem()); }
}
await rag.close();

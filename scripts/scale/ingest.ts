/**
 * Ingests N short documents through the public library API in calls of `--batch`, as issue #10's
 * report did, printing each call's time and RSS: the repro for "hung after 40,000 documents".
 *
 *   node --import tsx scripts/scale/ingest.ts --docs 60000 --batch 10000 [--dir DIR]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Rag } from "../../src/index.js";
import { HashEmbedder } from "./hash-embedder.js";
import { syntheticDocument } from "./text.js";

const { values } = parseArgs({
  options: { docs: { type: "string", default: "60000" }, batch: { type: "string", default: "10000" }, dir: { type: "string" } },
});
const total = Number(values.docs);
const batch = Number(values.batch);
const dir = values.dir ?? (await mkdtemp(path.join(tmpdir(), "ragkit-scale-")));
const rag = await Rag.open({ dir, embedder: new HashEmbedder(384) });
try {
  for (let start = 0; start < total; start += batch) {
    const t = performance.now();
    const docs = Array.from({ length: Math.min(batch, total - start) }, (_, i) => syntheticDocument(start + i));
    const report = await rag.ingest(docs);
    console.log(
      `${start + docs.length} documents: call ${((performance.now() - t) / 1000).toFixed(1)} s, ${report.added} added, RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (JS heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, buffers ${(process.memoryUsage().external / 1e6).toFixed(0)} MB)`,
    );
  }
  const t = performance.now();
  const hits = await rag.search("harbour ferry timetable", { k: 10 });
  console.log(`search ${(performance.now() - t).toFixed(0)} ms, ${hits.length} hits`);
} finally {
  await rag.close();
  if (!values.dir) await rm(dir, { recursive: true, force: true });
}

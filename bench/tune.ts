/**
 * `npm run bench -- --tune N`: what `ragkit tune` costs at scale. N synthetic documents (one chunk
 * each) with a fast hashing embedder of 512 dimensions (the bundled model's), 1,000 training pairs
 * whose questions are a few of their document's words, then: tuning time (preparing pairs,
 * two cross-validation folds and the final adapter), and the adapter's cost per query against the
 * plain embedder path it is added to.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HashEmbedder } from "../scripts/scale/hash-embedder.js";
import { syntheticDocument } from "../scripts/scale/text.js";
import { Rag } from "../src/rag.js";
import { QueryAdapter } from "../src/tune/adapter.js";
import type { TrainingPair } from "../src/types.js";
import { percentile, sortedTimes } from "./scale-measure.js";

const PAIRS = 1000;
const DIMENSIONS = 512;

export async function runTuneBench(documents: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "ragkit-bench-tune-"));
  const rag = await Rag.open({ dir, embedder: new HashEmbedder(DIMENSIONS) });
  try {
    for (let at = 0; at < documents; at += 10_000) {
      await rag.ingest(Array.from({ length: Math.min(10_000, documents - at) }, (_, i) => syntheticDocument(at + i)));
    }
    const step = Math.max(1, Math.floor(documents / PAIRS));
    const pairs: TrainingPair[] = Array.from({ length: PAIRS }, (_, i) => {
      const d = syntheticDocument(i * step);
      // The title's words and three of the third sentence: part of the document, ambiguous in the corpus.
      const words = (d.text.split(". ")[2] ?? "").split(" ").slice(0, 3).join(" ");
      return {
        id: `q${i}`,
        query: `${d.title.replace(/\d+/g, "")} ${words}`,
        gold: new Map([[d.id, 1]]),
        source: "qa",
      };
    });
    const started = performance.now();
    const report = await rag.tune({ pairs });
    const seconds = (performance.now() - started) / 1000;
    console.log(`tune bench: ${documents} chunks × ${DIMENSIONS} dims, ${PAIRS} pairs`);
    console.log(
      `  tuning time       ${seconds.toFixed(1)} s (target ≤ 300 s), ${report.adapter.history.length} final epochs, applied: ${report.applied}`,
    );
    console.log(`  cross-validated   nDCG@10 ${report.validation.untuned.toFixed(4)} → ${report.validation.tuned.toFixed(4)}`);
    const adapter = QueryAdapter.identity(DIMENSIONS);
    const embedder = new HashEmbedder(DIMENSIONS);
    const vector = (await embedder.embed(["harbour ferry timetable"], "query"))[0] as Float32Array;
    const apply = await sortedTimes(2000, async () => adapter.apply(vector));
    const search = await sortedTimes(200, async (i) => rag.search(`harbour ferry ${i}`, { mode: "dense", k: 10, tune: false }));
    console.log(
      `  adapter per query p50 ${percentile(apply, 50).toFixed(3)} ms, p95 ${percentile(apply, 95).toFixed(3)} ms (target < 1 ms)`,
    );
    console.log(
      `  dense search      p50 ${percentile(search, 50).toFixed(1)} ms: the adapter adds ${((percentile(apply, 50) / percentile(search, 50)) * 100).toFixed(1)}%`,
    );
  } finally {
    await rag.close();
    await rm(dir, { recursive: true, force: true });
  }
}

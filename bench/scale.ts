/**
 * `npm run bench -- --scale N`: the store at scale, not the model. N synthetic documents of real
 * words (one chunk each) are ingested through the public API with a fast hashing embedder of the
 * bench's own, in calls of 10,000, then searched: p50/p95 per mode, filtered hybrid, peak RSS, bytes
 * on disk, and ragkit's dense search against LanceDB's exact scan called plainly on the same table.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HashEmbedder } from "../scripts/scale/hash-embedder.js";
import { syntheticDocument } from "../scripts/scale/text.js";
import { Rag } from "../src/index.js";

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

async function timed(count: number, run: (i: number) => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 5; i++) await run(count + i);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return `p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms`;
}

export async function runScaleBench(total: number, queries: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "ragkit-scale-"));
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const embedder = new HashEmbedder(384);
  const rag = await Rag.open({ dir, embedder });
  try {
    await ingestAll(rag, total);
  } finally {
    await rag.close();
  }
  try {
    const query = (i: number) => {
      const doc = syntheticDocument(i * 7919);
      return doc.text.split(" ").slice(0, 6).join(" ");
    };
    // Searched from a fresh handle, as a server or another process would.
    const reader = await Rag.open({ dir, embedder });
    try {
      for (const mode of ["dense", "lexical", "hybrid"] as const)
        console.log(`search ${mode.padEnd(9)}  ${await timed(queries, (i) => reader.search(query(i), { mode, k: 10 }))}`);
      console.log(
        `filtered hybrid   ${await timed(queries, (i) => reader.search(query(i), { k: 10, filter: { metadata: { group: `g${i % 10}` } } }))}  (one group in ten)`,
      );
      // The peers: LanceDB called plainly on the same table, exact and through the same index.
      const lancedb = await import("@lancedb/lancedb");
      const db = await lancedb.connect(path.join(dir, "lance"));
      const table = await db.openTable("chunks");
      const vectors = await embedder.embed(
        Array.from({ length: queries + 5 }, (_, i) => query(i)),
        "query",
      );
      const exact = (i: number) =>
        table
          .vectorSearch(Array.from(vectors[i] as Float32Array))
          .distanceType("cosine")
          .bypassVectorIndex()
          .select(["id"])
          .limit(10)
          .toArray();
      const indexed = (await table.listIndices()).some((index) => index.columns.includes("vector"));
      console.log(`plain LanceDB     ${await timed(queries, exact)}  (exact scan, id column only)`);
      if (indexed) {
        console.log(
          `plain LanceDB ANN ${await timed(queries, (i) =>
            table
              .vectorSearch(Array.from(vectors[i] as Float32Array))
              .distanceType("cosine")
              .nprobes(20)
              .ef(200)
              .refineFactor(2)
              .select(["id"])
              .limit(10)
              .toArray(),
          )}  (the same index, id column only)`,
        );
        let recall = 0;
        for (let i = 0; i < queries; i++) {
          const truth = new Set(((await exact(i)) as Array<{ id: string }>).map((r) => r.id));
          const got = await reader.search(query(i), { mode: "dense", k: 10 });
          recall += got.filter((h) => truth.has(h.chunk.id)).length / 10;
        }
        console.log(`dense recall@10   ${(recall / queries).toFixed(3)} of exact search`);
      }
      table.close();
      db.close();
    } finally {
      await reader.close();
    }
    console.log(`peak RSS          ${(peak / 1e6).toFixed(0)} MB`);
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

async function ingestAll(rag: Rag, total: number): Promise<void> {
  const start = performance.now();
  for (let at = 0; at < total; at += 10_000) {
    const t = performance.now();
    const docs = Array.from({ length: Math.min(10_000, total - at) }, (_, i) => syntheticDocument(at + i));
    await rag.ingest(docs);
    console.log(`  ${at + docs.length} documents, call ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const seconds = (performance.now() - start) / 1000;
  const stats = await rag.stats();
  console.log(
    `scale ingest      ${total} documents (${stats.chunks} chunks) in ${seconds.toFixed(0)} s: ${(stats.chunks / seconds).toFixed(0)} chunks/s; ${(stats.bytesOnDisk / 1e6).toFixed(0)} MB on disk`,
  );
}

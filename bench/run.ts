/**
 * `npm run bench`: ingestion throughput against the bundled model called plainly (the peer, in
 * the same run, on the same paragraphs), hybrid search latency, and memory, on SQuAD paragraphs.
 *
 *   npm run bench -- [--dataset DIR] [--docs N] [--queries N] [--embedder provider:model] [--rerank provider:model]
 *                    [--workers N] [--tiny-layers N]
 *   npm run bench -- --scale N [--queries N] [--store pglite|postgres://…] [--text uniform|zipf] [--keep DIR] [--call N] [--schema NAME] [--vectors inline|ready]   the store at N documents (bench/scale.ts)
 *   npm run bench -- --tune N      what `ragkit tune` costs over N chunks with 1,000 pairs (bench/tune.ts)
 *   npm run bench -- --cli         wall time of one `ragkit search` process, lexical and hybrid (bench/cli.ts)
 *
 * With --embedder, the peer is that provider's model called plainly through its own library, one
 * batch after another (bench/peers.ts); `--embedder transformers:tiny` writes a MiniLM-sized model
 * folder to measure with offline. With --rerank, search latencies include reranking.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type BeirDocument, type BeirQuery, readJsonl } from "../src/eval/beir.js";
import { Rag } from "../src/rag.js";
import { loadTestSearch } from "./load.js";
import { plainRate, writeCorpusModel } from "./peers.js";
import { percentile } from "./scale-measure.js";

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
    "tiny-layers": { type: "string", default: "72" },
    workers: { type: "string" },
    scale: { type: "string" },
    tune: { type: "string" },
    cli: { type: "boolean" },
    store: { type: "string" },
    text: { type: "string", default: "uniform" },
    keep: { type: "string" },
    schema: { type: "string" },
    call: { type: "string" },
    vectors: { type: "string", default: "inline" },
    "rerank-base-url": { type: "string" },
  },
});
const provider = (flag: string | undefined) => {
  if (!flag) return undefined;
  const at = flag.indexOf(":");
  return { provider: at < 0 ? flag : flag.slice(0, at), ...(at < 0 ? {} : { model: flag.slice(at + 1) }) };
};
if (values.cli) {
  const { runCliBench } = await import("./cli.js");
  await runCliBench(values.dataset as string);
  process.exit(0);
}
if (values.tune) {
  const { runTuneBench } = await import("./tune.js");
  await runTuneBench(Number(values.tune));
  process.exit(0);
}
if (values.scale) {
  const { runScaleBench } = await import("./scale.js");
  const call = values.call === undefined ? undefined : Number(values.call);
  await runScaleBench(Number(values.scale), {
    queries: Number(values.queries),
    store: values.store,
    text: values.text,
    keep: values.keep,
    schema: values.schema,
    call,
    vectors: values.vectors,
  });
  process.exit(0);
}
const embedderFlag = provider(values.embedder);
// `transformers:tiny`: no real transformers model can be downloaded here, so the bench writes a
// MiniLM-sized stand-in (the corpus' words, 384 dimensions, 256 tokens; 72 layers of 384×384 cost
// about what MiniLM-L6's six attention and feed-forward blocks cost per token).
const tinyRoot =
  embedderFlag?.provider === "transformers" && embedderFlag.model === "tiny"
    ? await mkdtemp(path.join(tmpdir(), "ragkit-bench-model-"))
    : undefined;
const rerankFlag = provider(values.rerank);
const benchConfig = () =>
  ({
    ...(embedderFlag
      ? {
          embedder: {
            ...embedderFlag,
            ...(values["embedder-base-url"] ? { baseUrl: values["embedder-base-url"] } : {}),
            ...(values.workers ? { workers: Number(values.workers) } : {}),
          },
        }
      : {}),
    ...(rerankFlag ? { rerank: { ...rerankFlag, ...(values["rerank-base-url"] ? { baseUrl: values["rerank-base-url"] } : {}) } } : {}),
  }) as NonNullable<Parameters<typeof Rag.open>[0]>["config"];
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
if (tinyRoot && embedderFlag) embedderFlag.model = await writeCorpusModel(tinyRoot, corpus, Number(values["tiny-layers"]));

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

// Machine-wide, since model workers may be child processes that process.cpuUsage() does not see.
const busyMs = () => cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq, 0);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const rate = (n: number, ms: number) => n / (ms / 1000);

console.log(`dataset ${dataset}: ${corpus.length} paragraphs, ${queries.length} queries; timing ingestion on ${sample.length}`);

// Peer: the model called plainly through its own library, one batch after another.
const texts = sample.map((d) => `${d.title ?? ""}\n\n${d.text}`);
let start = 0;
const plainParagraphs = await plainRate(
  embedderFlag && { ...embedderFlag, ...(values["embedder-base-url"] ? { baseUrl: values["embedder-base-url"] } : {}) },
  texts,
);
console.log(`plain model       ${plainParagraphs.toFixed(1)} paragraphs/s (${values.embedder ?? "bundled"})`);

const dir = await mkdtemp(path.join(tmpdir(), "ragkit-bench-"));
const rag = await Rag.open({ dir, config: benchConfig() });
console.log(`embedder ${rag.embedder.id}; reranker ${(await rag.reranker())?.id ?? "none"}`);
try {
  const toInput = (d: BeirDocument) => ({ id: d._id, source: `bench#${d._id}`, ...(d.title ? { title: d.title } : {}), text: d.text });
  peakRss = 0;
  const cpuBefore = busyMs();
  const eluBefore = performance.eventLoopUtilization();
  start = performance.now();
  const report = await rag.ingest(sample.map(toInput));
  const ingestMs = performance.now() - start;
  const cores = (busyMs() - cpuBefore) / ingestMs;
  const elu = performance.eventLoopUtilization(eluBefore);
  const ragkitRate = rate(report.added, ingestMs);
  console.log(
    `ragkit ingest     ${ragkitRate.toFixed(1)} paragraphs/s, ${rate(report.chunksEmbedded, ingestMs).toFixed(1)} chunks/s (${report.chunksEmbedded} chunks, load+chunk+embed+store)  ratio vs plain ${(ragkitRate / plainParagraphs).toFixed(2)}x  peak RSS ${mb(peakRss)}`,
  );
  console.log(
    `                  CPU ${cores.toFixed(2)} of ${cpus().length} cores busy on average (the whole machine: worker threads and processes count); main thread busy ${(elu.utilization * 100).toFixed(0)}%`,
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
if (tinyRoot) await rm(tinyRoot, { recursive: true, force: true });

/**
 * `npm run soak`: mixed search / ask / ingest traffic against `ragkit serve` from this process for
 * a long time, with the server's RSS sampled: zero errors other than documented 429/503s, RSS
 * growth after warm-up, p50/p99 per kind.
 *
 *   npm run soak -- [--minutes 30] [--connections 32] [--dataset ../shared/data/squad-1k]
 */
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { cli, finish } from "./cli.js";

type Kind = "search" | "ask" | "ingest";

export interface SoakResult {
  seconds: number;
  requests: number;
  byKind: Record<Kind, { count: number; p50: number; p99: number }>;
  shed: number;
  errors: string[];
  rssWarmMb: number;
  rssEndMb: number;
  rssPeakMb: number;
  rssGrowth: number;
  /** Where the server's memory is, from its /metrics, after warm-up and at the end (MB). */
  memory: { warm?: MemoryParts; end?: MemoryParts };
  /** RSS once a minute (MB), to see whether growth flattens. */
  rssTrail: number[];
}

export interface MemoryParts {
  storeCache: number;
  heapUsed: number;
  external: number;
}

/** The server's own account of its memory: LanceDB's caches, the V8 heap, and buffers outside it. */
async function memoryParts(base: string): Promise<MemoryParts | undefined> {
  const text = await fetch(`${base}/metrics`)
    .then((r) => r.text())
    .catch(() => "");
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  const parts = {
    storeCache: metric("ragkit_store_cache_bytes"),
    heapUsed: metric("ragkit_nodejs_heap_size_used_bytes"),
    external: metric("ragkit_nodejs_external_memory_bytes"),
  };
  return Object.values(parts).every(Number.isFinite) ? parts : undefined;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function readLines(file: string, limit: number): Array<{ _id: string; text: string; title?: string }> {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, limit)
    .map((l) => JSON.parse(l));
}

export async function runSoak(options: { seconds: number; connections: number; dataset: string; documents: number }): Promise<SoakResult> {
  const corpus = readLines(path.join(options.dataset, "corpus.jsonl"), options.documents);
  const queries = readLines(path.join(options.dataset, "queries.jsonl"), 500).map((q) => q.text);
  const root = await mkdtemp(path.join(tmpdir(), "ragkit-soak-"));
  // The rate limiter is for strangers; the soak measures the server itself.
  const server = cli(["serve", "--port", "0", "--index", path.join(root, "idx")], { RAGKIT_SERVER_RATE_LIMIT: "1000000000" });
  const latencies: Record<Kind, number[]> = { search: [], ask: [], ingest: [] };
  const result: SoakResult = {
    seconds: options.seconds,
    requests: 0,
    byKind: { search: { count: 0, p50: 0, p99: 0 }, ask: { count: 0, p50: 0, p99: 0 }, ingest: { count: 0, p50: 0, p99: 0 } },
    shed: 0,
    errors: [],
    rssWarmMb: 0,
    rssEndMb: 0,
    rssPeakMb: 0,
    rssGrowth: 0,
    memory: {},
    rssTrail: [],
  };
  try {
    const base = (/at (http:\/\/\S+)/.exec(await server.line(/serving .* at http/)) as RegExpExecArray)[1] as string;
    const post = (url: string, body: unknown) =>
      fetch(`${base}${url}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    for (let i = 0; i < corpus.length; i += 100) {
      const documents = corpus
        .slice(i, i + 100)
        .map((d) => ({ id: d._id, source: `squad://${d._id}`, title: d.title ?? "", text: d.text }));
      const response = await post("/api/ingest", { documents });
      if (response.status !== 200) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
    }
    const started = Date.now();
    const end = started + options.seconds * 1000;
    const warmAt = started + options.seconds * 200;
    let n = 0;
    let died: string | undefined;
    void server.done.then((r) => {
      died = `the server exited (code ${r.code}, signal ${r.signal}): ${r.stderr.slice(-2000)}`;
    });
    let ticks = 0;
    const sampler = setInterval(() => {
      if (died) return;
      const rss = rssMb(server.child.pid as number);
      result.rssPeakMb = Math.max(result.rssPeakMb, rss);
      if (result.rssWarmMb === 0 && Date.now() >= warmAt) {
        result.rssWarmMb = rss;
        void memoryParts(base).then((parts) => {
          if (parts) result.memory.warm = parts;
        });
      }
      if (++ticks % 60 === 0) result.rssTrail.push(Math.round(rss));
    }, 1000);
    const worker = async () => {
      while (Date.now() < end && !died) {
        const i = n++;
        const kind: Kind = i % 10 === 9 ? "ingest" : i % 5 === 2 ? "ask" : "search";
        const query = queries[i % queries.length] as string;
        const t = performance.now();
        const response =
          kind === "search"
            ? await post("/api/search", { query, k: 5 })
            : kind === "ask"
              ? await post("/api/ask", { question: query })
              : await post("/api/ingest", {
                  documents: [{ id: `soak-${i % 200}`, source: `soak://${i % 200}`, text: `${query} (revision ${i})` }],
                });
        const body = await response.text();
        result.requests++;
        if (response.status === 429 || response.status === 503) result.shed++;
        else if (response.status !== 200) result.errors.push(`${kind} ${response.status} ${body.slice(0, 200)}`);
        else latencies[kind].push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: options.connections }, worker));
    clearInterval(sampler);
    if (died) throw new Error(died);
    await sleep(1000);
    result.rssEndMb = rssMb(server.child.pid as number);
    const endParts = await memoryParts(base);
    if (endParts) result.memory.end = endParts;
    result.rssGrowth = result.rssWarmMb > 0 ? result.rssEndMb / result.rssWarmMb - 1 : 0;
    for (const kind of Object.keys(latencies) as Kind[]) {
      result.byKind[kind] = { count: latencies[kind].length, p50: percentile(latencies[kind], 50), p99: percentile(latencies[kind], 99) };
    }
  } finally {
    await finish(server, root);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "30" },
      connections: { type: "string", default: "32" },
      documents: { type: "string", default: "1000" },
      dataset: { type: "string", default: path.resolve(import.meta.dirname, "../../../shared/data/squad-1k") },
    },
  });
  const r = await runSoak({
    seconds: Number(values.minutes) * 60,
    connections: Number(values.connections),
    dataset: values.dataset as string,
    documents: Number(values.documents),
  });
  const ms = (k: Kind) => `${k} ${r.byKind[k].count} p50 ${r.byKind[k].p50.toFixed(0)} ms p99 ${r.byKind[k].p99.toFixed(0)} ms`;
  const ok = r.errors.length === 0 && r.rssGrowth < 0.1;
  console.log(
    `soak: ${r.requests} requests in ${r.seconds} s at ${values.connections} connections (${ms("search")}; ${ms("ask")}; ${ms("ingest")}), ${r.shed} shed with 429/503, ${r.errors.length} errors; RSS ${r.rssWarmMb.toFixed(0)} MB after warm-up, ${r.rssEndMb.toFixed(0)} MB at the end (${(r.rssGrowth * 100).toFixed(1)}%), peak ${r.rssPeakMb.toFixed(0)} MB — ${ok ? "PASS" : "FAIL"}`,
  );
  const parts = (m?: MemoryParts) =>
    m ? `LanceDB caches ${m.storeCache.toFixed(0)}, V8 heap ${m.heapUsed.toFixed(0)}, external ${m.external.toFixed(0)} MB` : "n/a";
  console.log(`memory after warm-up: ${parts(r.memory.warm)}; at the end: ${parts(r.memory.end)}`);
  console.log(`RSS each minute (MB): ${r.rssTrail.join(" ")}`);
  for (const e of r.errors.slice(0, 5)) console.log(e);
  process.exitCode = ok ? 0 : 1;
}

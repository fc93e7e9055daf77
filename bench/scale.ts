/**
 * `npm run bench -- --scale N`: the store at scale, not the model. N synthetic documents of real
 * words (one chunk each) are ingested through the public API with a fast hashing embedder of the
 * bench's own, in calls of 10,000 (`--call N`), then searched: p50/p95 per mode, filtered hybrid, peak RSS, bytes
 * on disk, and ragkit's dense search against the store's exact scan called plainly on the same table.
 * `--store pglite` (a PGlite server started here) or `--store postgres://…` measures the Postgres store.
 * `--keep DIR` builds the index there and leaves it, to measure it again without ingesting.
 * `--text uniform` (the default) draws from 100 equally common words, the worst case for lexical
 * search; `--text zipf` draws words as real text has them (zipf-text.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPostgres } from "../scripts/pg/start.js";
import { HashEmbedder, TimedEmbedder } from "../scripts/scale/hash-embedder.js";
import { syntheticDocument } from "../scripts/scale/text.js";
import { zipfDocument } from "../scripts/scale/zipf-text.js";
import { Rag } from "../src/index.js";
import { recallAt10, timed } from "./scale-measure.js";
import { usearchPeer } from "./scale-usearch.js";

/** `store`: undefined for the LanceDB folder, "pglite" for a PGlite server started here, or a postgres:// URL. */
export interface ScaleOptions {
  queries: number;
  store?: string | undefined;
  text?: string | undefined;
  keep?: string | undefined;
  /** The Postgres schema (default a new one per run): one that already holds the documents is measured again, its ingest finding them unchanged. */
  schema?: string | undefined;
  /** Documents per ingest call (the issue's report used 10,000; `ragkit ingest` of a folder is one call). */
  call?: number | undefined;
  /**
   * `inline` (default): the hashing embedder runs inside each call, as a caller's embedder would.
   * `ready`: each call's vectors are computed before its clock starts, so only the store and
   * ragkit's pipeline are measured ("store-bound").
   */
  vectors?: string | undefined;
}

export async function runScaleBench(
  total: number,
  { queries, store, text = "uniform", keep, call = 10_000, schema: givenSchema, vectors = "inline" }: ScaleOptions,
): Promise<void> {
  if (text !== "zipf" && text !== "uniform") throw new Error(`--text is zipf or uniform, not ${text}`);
  if (vectors !== "inline" && vectors !== "ready") throw new Error(`--vectors is inline or ready, not ${vectors}`);
  const documentAt = text === "zipf" ? zipfDocument : syntheticDocument;
  console.log(`scale text        ${text === "zipf" ? "Zipf over the fixtures' vocabulary" : "100 equally common words (worst case)"}`);
  const dir = keep ? path.resolve(keep) : await mkdtemp(path.join(tmpdir(), "ragkit-scale-"));
  const pglite = store === "pglite" ? await startPostgres(path.join(dir, "pgdata")) : undefined;
  const url = pglite?.url ?? store;
  const schema = givenSchema ?? `scale_${Date.now().toString(36)}`;
  const config = url ? { store: { url, schema } } : {};
  if (url) console.log(`postgres schema   ${schema} (--schema ${schema} measures it again)`);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const embedder = new TimedEmbedder(new HashEmbedder(384));
  const rag = await Rag.open({ dir, embedder, config });
  let ingested: Ingested | undefined;
  try {
    ingested = await ingestAll(rag, total, call, documentAt, vectors === "ready" ? embedder : undefined);
    reportEmbedding(ingested, embedder, vectors === "ready");
  } finally {
    const closing = performance.now();
    await rag.close();
    // The last call's index upkeep runs in the background (LanceDB): close() waits for it.
    if (ingested) reportUpkeep(ingested, (performance.now() - closing) / 1000);
  }
  console.log(`peak RSS ingest   ${(peak / 1e6).toFixed(0)} MB`);
  // From here the peak is the search side's: a fresh handle, as a server would hold.
  peak = 0;
  try {
    const query = (i: number) => {
      const doc = documentAt(i * 7919);
      return doc.text.split(" ").slice(0, 6).join(" ");
    };
    // Searched from a fresh handle, as a server or another process would.
    const reader = await Rag.open({ dir, embedder, config });
    try {
      for (const mode of ["dense", "lexical", "hybrid"] as const)
        console.log(`search ${mode.padEnd(9)}  ${await timed(queries, (i) => reader.search(query(i), { mode, k: 10 }))}`);
      console.log(
        `filtered hybrid   ${await timed(queries, (i) => reader.search(query(i), { k: 10, filter: { metadata: { group: `g${i % 10}` } } }))}  (one group in ten)`,
      );
      const vectors = await embedder.embed(
        Array.from({ length: queries + 5 }, (_, i) => query(i)),
        "query",
      );
      const peer = url ? await pgPeer(url, schema, vectors, queries) : await lancePeer(dir, vectors, queries);
      try {
        const dense = async (i: number) => (await reader.search(query(i), { mode: "dense", k: 10 })).map((h) => h.chunk.id);
        console.log(`dense recall@10   ${(await recallAt10(queries, peer.exact, dense)).toFixed(3)} of exact search`);
        if (!url) await usearchPeer(dir, vectors, queries, peer.exact);
      } finally {
        await peer.close();
      }
    } finally {
      await reader.close();
    }
    console.log(`peak RSS search   ${(peak / 1e6).toFixed(0)} MB (with the plain-LanceDB peer's handle)`);
  } finally {
    clearInterval(sampler);
    await pglite?.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

/** A store called plainly on the bench's table: its exact top 10 per query is the recall reference. */
interface Peer {
  exact(i: number): Promise<string[]>;
  close(): Promise<void>;
}

/** LanceDB called plainly on the same table: the exact scan (the recall reference) and the same ANN index. */
async function lancePeer(dir: string, vectors: Float32Array[], queries: number): Promise<Peer> {
  const lancedb = await import("@lancedb/lancedb");
  const db = await lancedb.connect(path.join(dir, "lance"));
  const table = await db.openTable("chunks");
  const search = (i: number) =>
    table
      .vectorSearch(Array.from(vectors[i] as Float32Array))
      .distanceType("cosine")
      .select(["id"])
      .limit(10);
  const exact = async (i: number) => ((await search(i).bypassVectorIndex().toArray()) as Array<{ id: string }>).map((r) => r.id);
  console.log(`plain LanceDB     ${await timed(queries, exact)}  (exact scan, id column only)`);
  if ((await table.listIndices()).some((index) => index.columns.includes("vector"))) {
    const ann = (i: number) => search(i).nprobes(20).ef(200).refineFactor(2).toArray();
    console.log(`plain LanceDB ANN ${await timed(queries, ann)}  (the same index, id column only)`);
  }
  return {
    exact,
    close: async () => {
      table.close();
      db.close();
    },
  };
}

/** pgvector called plainly through pg on the same table: an exact scan (the recall reference) and the HNSW index. */
async function pgPeer(url: string, schema: string, vectors: Float32Array[], queries: number): Promise<Peer> {
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const literal = (i: number) => `[${Array.from(vectors[i] as Float32Array).join(",")}]`;
  const table = `"${schema}"."chunks"`;
  // "+ 0" makes the ordering an expression no index serves: an exact scan.
  const exact = async (i: number) =>
    (await pool.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY (vector <=> $1::vector) + 0 LIMIT 10`, [literal(i)])).rows.map(
      (r) => r.id,
    );
  console.log(`plain pgvector    ${await timed(queries, exact)}  (exact scan, id column only)`);
  const ann = (i: number) => pool.query(`SELECT id FROM ${table} ORDER BY vector <=> $1::vector LIMIT 10`, [literal(i)]);
  console.log(`plain pgvector    ${await timed(queries, ann)}  (the HNSW index when built, id column only)`);
  return { exact, close: () => pool.end() };
}

interface Ingested {
  chunks: number;
  seconds: number;
  unchanged: number;
}

async function ingestAll(
  rag: Rag,
  total: number,
  call: number,
  documentAt: typeof syntheticDocument,
  ready: TimedEmbedder | undefined,
): Promise<Ingested> {
  if (!(call >= 1)) throw new Error(`--call is a number of documents, not ${call}`);
  let seconds = 0;
  let unchanged = 0;
  for (let at = 0; at < total; at += call) {
    // Made before the clock starts: writing the caller's documents is not the store's work.
    const docs = Array.from({ length: Math.min(call, total - at) }, (_, i) => documentAt(at + i));
    // What ragkit embeds for a one-chunk document: its title, a blank line, its text.
    await ready?.prepare(docs.map((d) => `${d.title.trim()}\n\n${d.text}`));
    const t = performance.now();
    unchanged += (await rag.ingest(docs)).unchanged;
    const took = (performance.now() - t) / 1000;
    seconds += took;
    console.log(`  ${at + docs.length} documents, call ${took.toFixed(1)} s`);
  }
  const stats = await rag.stats();
  // A kept index measured again finds its documents unchanged: that is not a write rate.
  const rate = unchanged > 0 ? `${unchanged} of them already there, unchanged` : `${(stats.chunks / seconds).toFixed(0)} chunks/s`;
  console.log(
    `scale ingest      ${total} documents (${stats.chunks} chunks) in ${seconds.toFixed(0)} s: ${rate}; ${(stats.bytesOnDisk / 1e6).toFixed(0)} MB on disk`,
  );
  return { chunks: stats.chunks, seconds, unchanged };
}

/** How much of the ingest was the bench's own embedder, which runs on the caller's thread like any embedder passed in. */
function reportEmbedding({ seconds, unchanged }: Ingested, embedder: TimedEmbedder, ready: boolean): void {
  if (unchanged > 0) return;
  if (ready) {
    console.log(
      `scale embedding   vectors computed before each call's clock (store-bound); ${embedder.misses} texts were not, and were embedded inside`,
    );
    return;
  }
  // Not subtracted from the rate: the embedder's time also holds what the upkeep's share of the
  // cores took from it, so the difference would overstate the rate; --vectors ready measures it.
  console.log(
    `scale embedding   the bench's hashing embedder took ${embedder.seconds.toFixed(0)} s of it (${((100 * embedder.seconds) / seconds).toFixed(0)}%); --vectors ready measures the ingest without it`,
  );
}

/** The ingest rate again, counting the wait in `close()` for the last call's index upkeep. */
function reportUpkeep({ chunks, seconds, unchanged }: Ingested, closeSeconds: number): void {
  const rate = unchanged > 0 ? "" : `: ${(chunks / (seconds + closeSeconds)).toFixed(0)} chunks/s counting it`;
  console.log(`scale upkeep      close() waited ${closeSeconds.toFixed(1)} s for the last index upkeep${rate}`);
}

import path from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LanceDbStore } from "../src/store/lancedb.js";
import { PostgresStore } from "../src/store/postgres.js";
import { pgNames } from "../src/store/postgres-schema.js";
import { denseSql, lexicalSql, resolveMetadata } from "../src/store/postgres-search.js";
import { analyze } from "../src/text/analyzer.js";
import { documentWrite, testStore } from "./conformance/store.js";
import { tempDir } from "./helpers/fs.js";
import { type PgServer, startPostgres } from "./helpers/postgres.js";
import { searchDense, searchLexical } from "./helpers/search.js";

testStore("lancedb (a temp folder; small, so dense search runs on its in-memory copy)", async () => {
  const dir = await tempDir();
  return { open: (dimensions) => LanceDbStore.open({ dir, dimensions }), cleanup: async () => undefined };
});

testStore("lancedb (dense search by LanceDB's own scan)", async () => {
  const dir = await tempDir();
  return { open: (dimensions) => LanceDbStore.open({ dir, dimensions, denseCacheBytes: 0 }), cleanup: async () => undefined };
});

let pg: PgServer | undefined;
let schemas = 0;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

testStore("postgres + pgvector (PGlite over the wire protocol, through the pg client)", async () => {
  const schema = `conformance_${++schemas}`;
  const url = (pg as PgServer).url;
  // annMinRows 1: the HNSW index is built at the first optimize (with its own build memory), so search goes through it.
  return {
    open: (dimensions) =>
      PostgresStore.open({ url, schema, dimensions, ann: { minRows: 1, probes: 20, refine: 2 }, indexBuildMemory: "96MB" }),
    cleanup: async () => undefined,
  };
});

describe("dense search from the in-memory copy", () => {
  it("ranks exactly as LanceDB's own scan, with and without a document filter", async () => {
    const dir = await tempDir();
    const dims = 16;
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const unit = () => {
      const v = Float32Array.from({ length: dims }, random);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const copy = await LanceDbStore.open({ dir, dimensions: dims });
    const scan = await LanceDbStore.open({ dir, dimensions: dims, denseCacheBytes: 0 });
    try {
      const writes = Array.from({ length: 300 }, (_, i) => {
        const w = documentWrite(`d${i}`, [`note ${i}`], 0);
        return { ...w, chunks: w.chunks.map((c) => ({ ...c, vector: unit() })) };
      });
      await copy.upsert(writes);
      for (let q = 0; q < 20; q++) {
        const query = unit();
        const documentIds = q % 2 ? writes.filter((_, i) => i % 3 === q % 3).map((w) => w.document.id) : undefined;
        const options = { k: 10, ...(documentIds ? { documentIds } : {}) };
        const [a, b] = [await searchDense(copy, query, options), await searchDense(scan, query, options)];
        expect(a.map((h) => h.chunk.id)).toEqual(b.map((h) => h.chunk.id));
        for (const [i, h] of a.entries()) expect(h.score).toBeCloseTo(b[i]?.score as number, 5);
      }
    } finally {
      await copy.close();
      await scan.close();
    }
  });
});

describe("LanceDB metadata filters", () => {
  it("an index written before chunks had labels still filters by metadata, and takes new writes", async () => {
    const dir = await tempDir();
    const old = await LanceDbStore.open({ dir, dimensions: 8 });
    await old.upsert([
      documentWrite("a", ["harbour ferry notes"], 0, { team: "ops" }),
      documentWrite("b", ["ferry prices"], 1, { team: "docs" }),
    ]);
    await old.close();
    // What an index from before the column looks like: the same chunks without it.
    const lancedb = await import("@lancedb/lancedb");
    const db = await lancedb.connect(path.join(dir, "lance"));
    const chunks = await db.openTable("chunks");
    await chunks.dropColumns(["labels"]);
    chunks.close();
    db.close();
    const store = await LanceDbStore.open({ dir, dimensions: 8, denseCacheBytes: 0 });
    try {
      await store.upsert([documentWrite("c", ["ferry history"], 2, { team: "ops" })]);
      await store.optimize();
      const ids = (hits: Array<{ chunk: { documentId: string } }>) => hits.map((h) => h.chunk.documentId).sort();
      const dense = await searchDense(store, new Float32Array(8).fill(0.35), { k: 10, metadata: { team: "ops" } });
      const lexical = await searchLexical(store, analyze("ferry"), { k: 10, metadata: { team: "ops" } });
      expect(ids(dense)).toEqual(["a", "c"]);
      expect(ids(lexical)).toEqual(["a", "c"]);
      expect(await searchLexical(store, analyze("ferry"), { k: 10, metadata: { team: "nobody" } })).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe("reading back ranked chunks (LanceDB)", () => {
  it("reads the right chunks when a compaction moved every row between the ranking and the read", async () => {
    const dir = await tempDir();
    const store = await LanceDbStore.open({ dir, dimensions: 8, denseCacheBytes: 0 });
    try {
      // Many small appends: fragments the compaction below merges, so row ids change.
      for (let i = 0; i < 6; i++) await store.upsert([documentWrite(`d${i}`, [`harbour ferry note ${i}`, `quarry lantern ${i}`], i)]);
      await store.optimize();
      const refs = (await store.rankLexical(analyze("harbour ferry"), { k: 4 })).map((r) => r.chunk);
      expect(refs.every((r) => typeof r.handle === "bigint")).toBe(true);
      const before = await store.readChunks(refs);
      const lancedb = await import("@lancedb/lancedb");
      const db = await lancedb.connect(path.join(dir, "lance"));
      const chunks = await db.openTable("chunks");
      await chunks.delete(`doc_id = 'd0'`);
      const stats = await chunks.optimize();
      expect(stats.compaction.fragmentsRemoved).toBeGreaterThan(1);
      chunks.close();
      db.close();
      const after = await store.readChunks(refs);
      expect(after.map((c) => c.id)).toEqual(refs.filter((r) => r.documentId !== "d0").map((r) => r.id));
      expect(after).toEqual(before.filter((c) => c.documentId !== "d0"));
      for (const chunk of after) expect(chunk.text).toContain(chunk.documentId.slice(1));
    } finally {
      await store.close();
    }
  });
});

describe("Postgres metadata filters", () => {
  it("become the ids they allow below a cap, and stay a subquery above it; both forms keep exactly the allowed documents", async () => {
    const url = (pg as PgServer).url;
    const schema = "metadata_filters";
    const store = await PostgresStore.open({ url, schema, dimensions: 8 });
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const teams = ["a", "b", ["a", "c"], "b", "a", ["c"]];
      await store.upsert(teams.map((team, i) => documentWrite(`d${i}`, [`harbour ferry note ${i}`], i, { team })));
      const allowed = ["d0", "d2", "d4"];
      const run = async (sql: { text: string; values: unknown[] }) => (await client.query(sql.text, sql.values)).rows;
      const n = pgNames(schema);
      const asked = { k: 10, metadata: { team: "a" } };
      const ids = await resolveMetadata(n, asked, run, 3);
      expect({ ...ids, documentIds: [...(ids.documentIds ?? [])].sort() }).toEqual({ k: 10, documentIds: allowed });
      expect(await resolveMetadata(n, { ...asked, documentIds: ["d2", "d3"] }, run, 3)).toEqual({ k: 10, documentIds: ["d2"] });
      const narrowed = await store.narrowSearch(asked);
      expect([...(narrowed.documentIds ?? [])].sort()).toEqual(allowed);
      const kept = await resolveMetadata(n, asked, run, 2);
      expect(kept).toBe(asked);
      // Above the cap the condition stays in each ranking's query, and still filters.
      const docs = (rows: Array<{ doc_id: string }>) => rows.map((r) => r.doc_id).sort();
      const dense = denseSql(n, documentWrite("q", ["x"], 2).chunks[0]?.vector as Float32Array, kept);
      expect(docs(await run(dense))).toEqual(allowed);
      expect(docs(await run(lexicalSql(n, analyze("harbour ferry"), kept)))).toEqual(allowed);
    } finally {
      await client.end();
      await store.close();
    }
  });
});

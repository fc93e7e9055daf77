import { describe, expect, it } from "vitest";
import { RagkitError } from "../../src/errors.js";
import { chunksFingerprint } from "../../src/store/staged-fingerprint.js";
import type { ChunkRecord, DocumentWrite, Manifest, Store } from "../../src/store/types.js";
import { analyze } from "../../src/text/analyzer.js";
import { sha256 } from "../../src/text/hash.js";
import type { Metadata } from "../../src/types.js";
import { searchDense, searchLexical } from "../helpers/search.js";

/** A place a store keeps an index: `open` may be called again for a second handle (as another process would). */
export interface StoreFixture {
  open(dimensions: number): Promise<Store>;
  cleanup(): Promise<void>;
}

const DIMS = 8;

/** A unit vector mostly along `axis`, a little along the next one. */
function vector(axis: number, tilt = 0.1, dims = DIMS): Float32Array {
  const v = new Float32Array(dims);
  v[axis % dims] = 1;
  v[(axis + 1) % dims] = tilt;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** A document whose paragraphs are its chunks, with offsets into its text. */
export function documentWrite(id: string, paragraphs: string[], axis: number, metadata: Metadata = {}): DocumentWrite {
  const text = paragraphs.join("\n\n");
  let at = 0;
  const chunks: ChunkRecord[] = paragraphs.map((p, index) => {
    const start = text.indexOf(p, at);
    at = start + p.length;
    return {
      id: `${id}#${index}`,
      documentId: id,
      source: `docs/${id}.md`,
      text: p,
      start,
      end: start + p.length,
      index,
      metadata,
      embedHash: sha256("test-embedder", p),
      terms: analyze(p).join(" "),
      vector: vector(axis + index),
    };
  });
  return {
    document: {
      id,
      source: `docs/${id}.md`,
      title: id,
      contentHash: sha256(text),
      chunkerKey: "test-chunker",
      metadata,
      chunkCount: chunks.length,
      chars: text.length,
      updatedAt: Date.now(),
      text,
    },
    chunks,
  };
}

const CORPUS = (): DocumentWrite[] => [
  documentWrite("ferry", ["The harbour ferry leaves at dawn.", "Tickets for the ferry are sold at the harbour office."], 0, { lang: "en" }),
  documentWrite("bread", ["Knead the flour and water into a dough.", "Bake the bread in a hot oven for forty minutes."], 2, { lang: "en" }),
  documentWrite("quarry", ["The granite quarry closed in 1950.", "Lanterns lit the quarry paths at night; the quarry was deep."], 4, {
    lang: "fr",
  }),
];

/** BM25 as LanceDB scores it (k1 1.2, b 0.75, idf ln(1 + (N - df + 0.5) / (df + 0.5))), from first principles. */
function referenceBm25(chunks: ChunkRecord[], query: string[]): Map<string, number> {
  const tokens = new Map(chunks.map((c) => [c.id, c.terms.split(" ").filter(Boolean)]));
  const avg = [...tokens.values()].reduce((s, t) => s + t.length, 0) / chunks.length;
  const scores = new Map<string, number>();
  for (const term of query) {
    const df = [...tokens.values()].filter((t) => t.includes(term)).length;
    if (df === 0) continue;
    const idf = Math.log(1 + (chunks.length - df + 0.5) / (df + 0.5));
    for (const [id, t] of tokens) {
      const tf = t.filter((x) => x === term).length;
      if (tf === 0) continue;
      const weight = (2.2 * tf) / (tf + 1.2 * (0.25 + (0.75 * t.length) / avg));
      scores.set(id, (scores.get(id) ?? 0) + idf * weight);
    }
  }
  return scores;
}

const manifest = (id: string, dimensions: number): Manifest => ({
  schemaVersion: 1,
  embedder: { id, dimensions },
  analyzer: "test",
  chunker: { key: "test-chunker" },
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});

/**
 * What every store must do, run against each (as unstorage's testDriver): documents and chunks
 * in and out whole, dense and BM25 search with filters (BM25 with the same scores everywhere),
 * vector reuse, the manifest, the write lock, a second handle seeing writes, and a reindex that
 * resumes and swaps in one step.
 */
export function testStore(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`store conformance: ${name}`, () => {
    const withStore = async (body: (store: Store, fixture: StoreFixture) => Promise<void>) => {
      const fixture = await setup();
      const store = await fixture.open(DIMS);
      try {
        await body(store, fixture);
      } finally {
        await store.close();
        await fixture.cleanup();
      }
    };

    it("stores documents and their chunks whole, replaces them whole, and deletes them", async () => {
      await withStore(async (store) => {
        expect(await store.listDocuments()).toEqual([]);
        await store.upsert(CORPUS());
        await store.optimize();
        expect((await store.listDocuments()).map((d) => d.id).sort()).toEqual(["bread", "ferry", "quarry"]);
        expect((await store.findDocuments(["quarry", "nope"])).map((d) => d.metadata)).toEqual([{ lang: "fr" }]);
        const ferry = await store.getDocument("ferry");
        expect(ferry?.text).toBe(CORPUS()[0]?.document.text);
        const many = (await store.getDocuments?.(["quarry", "nope", "ferry", "ferry"])) ?? [];
        expect(many.map((d) => [d.id, d.text]).sort()).toEqual([
          ["ferry", ferry?.text],
          ["quarry", CORPUS()[2]?.document.text],
        ]);
        const chunks = await store.getChunks("ferry");
        expect(chunks.map((c) => c.index)).toEqual([0, 1]);
        for (const c of chunks) expect(ferry?.text.slice(c.start, c.end)).toBe(c.text);
        expect(await store.stats()).toMatchObject({ documents: 3, chunks: 6 });
        // A new version with one paragraph: the second chunk is gone, not left behind.
        await store.upsert([documentWrite("ferry", ["The ferry is cancelled today."], 0, { lang: "en" })]);
        expect((await store.getChunks("ferry")).map((c) => c.text)).toEqual(["The ferry is cancelled today."]);
        const records = await store.getChunkRecords(["ferry", "bread"]);
        expect(records).toHaveLength(3);
        const first = records.find((r) => r.id === "bread#0");
        expect(first?.terms).toBe(analyze("Knead the flour and water into a dough.").join(" "));
        expect(Array.from(first?.vector ?? []).map((x) => x.toFixed(4))).toEqual(Array.from(vector(2)).map((x) => x.toFixed(4)));
        expect(await store.delete(["bread", "missing"])).toBe(1);
        expect(await store.getDocument("bread")).toBeUndefined();
        expect(await store.getChunks("bread")).toEqual([]);
        expect(await store.stats()).toMatchObject({ documents: 2, chunks: 3 });
        const scan = await store.scan();
        expect(scan.chunks.map((c) => c.documentId).sort()).toEqual(["ferry", "quarry", "quarry"]);
      });
    });

    it("finds the nearest chunks by cosine, within a document filter", async () => {
      await withStore(async (store) => {
        await store.upsert(CORPUS());
        await store.optimize();
        const hits = await searchDense(store, vector(4, 0.05), { k: 3 });
        expect(hits[0]?.chunk.id).toBe("quarry#0");
        expect(hits[0]?.score).toBeGreaterThan(0.99);
        expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
        const filtered = await searchDense(store, vector(4, 0.05), { k: 3, documentIds: ["ferry"] });
        expect(filtered.map((h) => h.chunk.documentId)).toEqual(["ferry", "ferry"]);
        expect(await searchDense(store, vector(4), { k: 3, documentIds: [] })).toEqual([]);
        const reused = await store.findVectors([sha256("test-embedder", "The harbour ferry leaves at dawn."), "unknown"]);
        expect([...reused.keys()]).toHaveLength(1);
      });
    });

    it("filters dense and BM25 search by metadata: strings, numbers, booleans, arrays holding a value, with document ids", async () => {
      await withStore(async (store) => {
        // Filters see the document's metadata; a chunk's own metadata is something else.
        const ofDocument = (w: DocumentWrite): DocumentWrite => ({
          ...w,
          chunks: w.chunks.map((c) => ({ ...c, metadata: { team: "chunk" } })),
        });
        const writes = [
          documentWrite("a", ["harbour ferry notes", "ferry timetable"], 0, { team: "ops", year: 2024, tags: ["sea", "boat"], score: 2.5 }),
          documentWrite("b", ["harbour ferry prices"], 1, { team: "ops", year: "2023", draft: true }),
          documentWrite("c", ["ferry harbour history"], 2, { team: "docs", tags: ["sea"], "x=y": "z", dir: 'C:\\notes "old"' }),
          documentWrite("d", ["mountain ferry"], 3, {}),
        ].map(ofDocument);
        await store.upsert(writes);
        await store.optimize();
        const both = async (metadata: Record<string, string | number | boolean>, documentIds?: string[]) => {
          const options = { k: 10, metadata, ...(documentIds ? { documentIds } : {}) };
          const dense = await searchDense(store, vector(0), options);
          const lexical = await searchLexical(store, analyze("ferry"), options);
          const docs = (hits: Array<{ chunk: { documentId: string } }>) => [...new Set(hits.map((h) => h.chunk.documentId))].sort();
          expect(docs(dense)).toEqual(docs(lexical));
          return docs(dense);
        };
        expect(await both({ team: "ops" })).toEqual(["a", "b"]);
        expect(await both({ year: 2024 })).toEqual(["a"]);
        expect(await both({ year: "2023" })).toEqual(["b"]);
        expect(await both({ draft: true })).toEqual(["b"]);
        expect(await both({ tags: "sea" })).toEqual(["a", "c"]);
        expect(await both({ tags: "sea", team: "docs" })).toEqual(["c"]);
        expect(await both({ "x=y": "z" })).toEqual(["c"]);
        expect(await both({ x: "y=z" })).toEqual([]);
        expect(await both({ score: 2.5 })).toEqual(["a"]);
        expect(await both({ dir: 'C:\\notes "old"' })).toEqual(["c"]);
        expect(await both({ dir: "C:" })).toEqual([]);
        expect(await both({ team: "ops" }, ["b", "c"])).toEqual(["b"]);
        expect(await both({ team: "nobody" })).toEqual([]);
        expect(await both({ team: "chunk" })).toEqual([]);
        // A document whose metadata changes is found under its new values only.
        await store.upsert([{ ...ofDocument(documentWrite("b", ["harbour ferry prices"], 1, { team: "docs" })), isNew: false }]);
        await store.optimize();
        expect(await both({ team: "ops" })).toEqual(["a"]);
        expect(await both({ team: "docs" })).toEqual(["b", "c"]);
      });
    });

    it("ranks by BM25 with the same scores as the formula, a repeated query term counting twice", async () => {
      await withStore(async (store) => {
        const corpus = CORPUS();
        await store.upsert(corpus);
        await store.optimize();
        const all = corpus.flatMap((w) => w.chunks);
        for (const query of [analyze("quarry lanterns"), analyze("ferry harbour ferry"), analyze("bread oven")]) {
          const hits = await searchLexical(store, query, { k: 10 });
          const expected = referenceBm25(all, query);
          expect(hits.map((h) => h.chunk.id).sort()).toEqual([...expected.keys()].sort());
          for (const h of hits) expect(h.score).toBeCloseTo(expected.get(h.chunk.id) as number, 4);
        }
        const top = await searchLexical(store, analyze("quarry"), { k: 1 });
        expect(top[0]?.chunk.id).toBe("quarry#1");
        const filtered = await searchLexical(store, analyze("harbour quarry"), { k: 10, documentIds: ["ferry"] });
        expect(new Set(filtered.map((h) => h.chunk.documentId))).toEqual(new Set(["ferry"]));
        expect(await searchLexical(store, analyze("zeppelin"), { k: 5 })).toEqual([]);
      });
    });

    it("counts a repeated query term even when it lifts a chunk from deep in the ranking", async () => {
      await withStore(async (store) => {
        // "ferry" is common and "harbour" is not, so one chunk that says little but "ferry" sits
        // below every harbour chunk when "ferry" counts once; asked three times, it must win.
        const corpus = [
          ...Array.from({ length: 12 }, (_, i) => documentWrite(`h${i}`, [`harbour quay ${"berth ".repeat(i % 3)}mooring`], i % DIMS)),
          ...Array.from({ length: 24 }, (_, i) => documentWrite(`f${i}`, [`ferry lane ${"pier ".repeat(i % 4)}signal`], i % DIMS)),
          documentWrite("ferries", ["ferry ferry ferry ferry"], 0),
        ];
        await store.upsert(corpus);
        await store.optimize();
        const all = corpus.flatMap((w) => w.chunks);
        const once = await searchLexical(store, analyze("ferry harbour"), { k: 5 });
        expect(once.map((h) => h.chunk.id)).not.toContain("ferries#0");
        for (const question of ["ferry ferry ferry harbour", "harbour harbour ferry quay", "ferry ferry berth berth mooring"])
          for (const k of [1, 2, 4]) {
            const query = analyze(question);
            const hits = await searchLexical(store, query, { k });
            const expected = [...referenceBm25(all, query).values()].sort((a, b) => b - a).slice(0, k);
            // Compared score by score: chunks with equal scores may come in either order.
            expect(hits.map((h) => h.score)).toHaveLength(expected.length);
            for (const [i, h] of hits.entries()) expect(h.score).toBeCloseTo(expected[i] as number, 4);
          }
        expect((await searchLexical(store, analyze("ferry ferry ferry harbour"), { k: 1 }))[0]?.chunk.id).toBe("ferries#0");
      });
    });

    it("ranks without reading the chunks, then reads back those kept in the order asked, leaving out any deleted since", async () => {
      await withStore(async (store, fixture) => {
        await store.upsert(CORPUS());
        await store.optimize();
        const refs = (await store.rankLexical(analyze("harbour ferry quarry lanterns"), { k: 10 })).map((r) => r.chunk).reverse();
        expect(refs.length).toBeGreaterThan(2);
        const read = await store.readChunks(refs);
        expect(read.map((c) => c.id)).toEqual(refs.map((r) => r.id));
        // The same chunks as a document's own read gives, whatever path readChunks takes.
        const stored = await Promise.all(refs.map(async (r) => (await store.getChunks(r.documentId)).find((c) => c.id === r.id)));
        expect(read).toEqual(stored);
        expect(await store.readChunks([])).toEqual([]);
        // Another process deletes a document and writes others between the ranking and the read.
        const other = await fixture.open(DIMS);
        try {
          await other.delete(["quarry"]);
          await other.upsert([documentWrite("late", ["A late harbour note."], 6)]);
          await other.optimize();
        } finally {
          await other.close();
        }
        const after = await store.readChunks(refs);
        expect(after).toEqual(read.filter((c) => c.documentId !== "quarry"));
      });
    });

    it("keeps the manifest, and a second handle sees the first one's writes", async () => {
      await withStore(async (store, fixture) => {
        expect(await store.readManifest()).toBeUndefined();
        await store.writeManifest(manifest("test-embedder", DIMS));
        const other = await fixture.open(DIMS);
        try {
          expect((await other.readManifest())?.embedder).toEqual({ id: "test-embedder", dimensions: DIMS });
          await store.upsert(CORPUS().slice(0, 1));
          expect((await searchDense(other, vector(0), { k: 1 }))[0]?.chunk.id).toBe("ferry#0");
          await store.upsert(CORPUS().slice(2));
          // Written by the first handle after the second searched: the second sees it at once.
          expect((await searchDense(other, vector(4), { k: 1 }))[0]?.chunk.id).toBe("quarry#0");
          await store.delete(["quarry"]);
          expect((await searchDense(other, vector(4), { k: 1 }))[0]?.chunk.documentId).not.toBe("quarry");
          expect((await other.listDocuments()).map((d) => d.id)).toEqual(["ferry"]);
          expect((await searchLexical(other, analyze("ferry"), { k: 1 }))[0]?.chunk.documentId).toBe("ferry");
        } finally {
          await other.close();
        }
      });
    });

    it("keeps meta records (tunings, feedback) beside the data, replaced whole, seen by another handle", async () => {
      await withStore(async (store, fixture) => {
        expect(await store.readMeta("tune-v1")).toBeUndefined();
        const record = { version: 1, weights: "AAAA", nested: { list: [1, 2.5, "x"] } };
        await store.writeMeta("tune-v1", record);
        await store.writeMeta("feedback", [{ query: "q", rating: -1 }]);
        const other = await fixture.open(DIMS);
        try {
          expect(await other.readMeta("tune-v1")).toEqual(record);
          await other.writeMeta("tune-v1", { version: 2 });
          expect(await store.readMeta("tune-v1")).toEqual({ version: 2 });
          expect(await store.readMeta("feedback")).toEqual([{ query: "q", rating: -1 }]);
        } finally {
          await other.close();
        }
        await expect(store.writeMeta("../escape", {})).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      });
    });

    it("finds every stored document and vector under the write lock: before and after index upkeep, updated, and another handle's", async () => {
      await withStore(async (store, fixture) => {
        const [ferry, bread, quarry] = CORPUS() as [DocumentWrite, DocumentWrite, DocumentWrite];
        const hashesOf = (w: DocumentWrite) => w.chunks.map((c) => c.embedHash);
        const found = async (writes: DocumentWrite[]) => ({
          documents: (await store.findDocuments(writes.map((w) => w.document.id))).map((d) => `${d.id}:${d.contentHash}`).sort(),
          vectors: [...(await store.findVectors(writes.flatMap(hashesOf))).keys()].sort(),
        });
        const expected = (writes: DocumentWrite[]) => ({
          documents: writes.map((w) => `${w.document.id}:${w.document.contentHash}`).sort(),
          vectors: writes.flatMap(hashesOf).sort(),
        });
        let lock = await store.lock();
        await store.upsert([{ ...ferry, isNew: true }]);
        expect(await found([ferry])).toEqual(expected([ferry]));
        await store.optimize();
        await store.upsert([{ ...bread, isNew: true }]);
        // Written after the upkeep, under the same lock: still found, as is what the upkeep covered.
        expect(await found([ferry, bread])).toEqual(expected([ferry, bread]));
        const ferry2 = documentWrite("ferry", ["The harbour ferry leaves at dawn.", "A night ferry sails on Fridays."], 0, { lang: "en" });
        await store.upsert([ferry2]);
        expect(await found([ferry2, bread])).toEqual(expected([ferry2, bread]));
        await lock.release();
        const other = await fixture.open(DIMS);
        try {
          const theirs = await other.lock();
          await other.upsert([{ ...quarry, isNew: true }]);
          await theirs.release();
        } finally {
          await other.close();
        }
        lock = await store.lock();
        expect(await found([ferry2, bread, quarry])).toEqual(expected([ferry2, bread, quarry]));
        await lock.release();
      });
    });

    it("lets one writer hold the lock at a time", async () => {
      await withStore(async (store) => {
        const lock = await store.lock({ wait: false });
        const refused = await store.lock({ wait: false }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(RagkitError.isInstance(refused) && refused.code).toBe("INDEX_LOCKED");
        await lock.release();
        await (await store.lock({ wait: false })).release();
      });
    });

    it("reindexes into another dimension: resumes what was staged, redoes what changed, swaps in one step", async () => {
      await withStore(async (store) => {
        await store.writeManifest(manifest("test-embedder", DIMS));
        await store.upsert(CORPUS());
        await store.optimize();
        const wider = (w: DocumentWrite) => w.chunks.map((c) => ({ ...c, vector: vector(c.index + 1, 0.1, 12) }));
        const target = { embedderId: "wide-embedder", dimensions: 12 };
        const first = await store.stageReindex(target);
        expect((await first.done()).size).toBe(0);
        const [ferry, bread, quarry] = CORPUS() as [DocumentWrite, DocumentWrite, DocumentWrite];
        await first.write(wider(ferry));
        await first.write(wider(bread));
        // Interrupted here; the next run finds both staged, with the fingerprints of their chunks.
        const again = await store.stageReindex(target);
        const done = await again.done();
        expect(done.get("ferry")).toBe(chunksFingerprint(ferry.chunks));
        await again.discard(["bread"]);
        expect([...(await again.done()).keys()]).toEqual(["ferry"]);
        await again.write(wider(bread));
        await again.write(wider(quarry));
        // Until the commit, the old vectors answer.
        expect((await searchDense(store, vector(4), { k: 1 }))[0]?.chunk.id).toBe("quarry#0");
        await again.commit(manifest("wide-embedder", 12), "wide-chunker");
        await store.refresh();
        expect((await store.readManifest())?.embedder).toMatchObject({ id: "wide-embedder", dimensions: 12 });
        expect((await searchDense(store, vector(1, 0.1, 12), { k: 3 })).map((h) => h.chunk.index)).toEqual([0, 0, 0]);
        expect((await store.findDocuments(["bread"]))[0]).toMatchObject({ chunkerKey: "wide-chunker", chunkCount: 2 });
        expect((await searchLexical(store, analyze("granite"), { k: 1 }))[0]?.chunk.id).toBe("quarry#0");
        // The new vectors keep their documents' metadata for filtering.
        const french = await searchDense(store, vector(1, 0.1, 12), { k: 6, metadata: { lang: "fr" } });
        expect(new Set(french.map((h) => h.chunk.documentId))).toEqual(new Set(["quarry"]));
        const english = await searchLexical(store, analyze("ferry bread quarry"), { k: 6, metadata: { lang: "en" } });
        expect(new Set(english.map((h) => h.chunk.documentId))).toEqual(new Set(["ferry", "bread"]));
      });
    });
  });
}

import { describe, expect, it } from "vitest";
import { embedAll } from "../../src/embed/embed-batches.js";
import type { Embedder } from "../../src/embed/types.js";

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s / (norm(a) * norm(b));
}

/**
 * What every embedder provider must do, run against each of them (as unstorage's testDriver):
 * shapes, unit length, determinism, order across batch boundaries, empty input, and that related
 * texts are closer than unrelated ones (a real model, never a stub).
 */
export function testEmbedder(name: string, make: () => Promise<Embedder>, options: { skipMeaning?: boolean } = {}): void {
  describe(`embedder conformance: ${name}`, () => {
    it("returns one unit-length vector of `dimensions` per text, the same for the same text, in order across batches", async () => {
      const embedder = await make();
      try {
        expect(embedder.id.length).toBeGreaterThan(0);
        expect(embedder.dimensions).toBeGreaterThan(0);
        expect(await embedder.embed([], "document")).toEqual([]);
        const texts = Array.from({ length: embedder.maxBatchSize + 3 }, (_, i) => `note ${i}: ferries leave the harbour at ${i} o'clock`);
        const all = await embedAll(embedder, texts, "document");
        expect(all).toHaveLength(texts.length);
        for (const v of all) {
          expect(v).toBeInstanceOf(Float32Array);
          expect(v.length).toBe(embedder.dimensions);
          expect(norm(v)).toBeCloseTo(1, 3);
        }
        // Each text embedded alone gives the vector it got inside the batches: nothing shifted.
        for (const i of [0, embedder.maxBatchSize - 1, embedder.maxBatchSize, texts.length - 1]) {
          const [alone] = await embedder.embed([texts[i] as string], "document");
          expect(cosine(alone as Float32Array, all[i] as Float32Array)).toBeGreaterThan(0.9999);
        }
        const [q1] = await embedder.embed(["when does the ferry leave?"], "query");
        const [q2] = await embedder.embed(["when does the ferry leave?"], "query");
        expect(Array.from(q1 as Float32Array)).toEqual(Array.from(q2 as Float32Array));
      } finally {
        await embedder.close();
      }
    });

    it.skipIf(options.skipMeaning)("puts related texts closer than unrelated ones", async () => {
      const embedder = await make();
      try {
        const [query, related, unrelated] = await embedAll(
          embedder,
          ["ferry timetable for the harbour", "the harbour ferry departs every morning", "the recipe needs two cups of flour"],
          "document",
        );
        expect(cosine(query as Float32Array, related as Float32Array)).toBeGreaterThan(
          cosine(query as Float32Array, unrelated as Float32Array),
        );
      } finally {
        await embedder.close();
      }
    });
  });
}

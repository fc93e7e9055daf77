import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapseToDocuments, fuse } from "../src/retrieve/fuse.js";
import type { SearchedChunk } from "./helpers/search.js";

function scored(id: string, score: number, doc = id): SearchedChunk {
  return { chunk: { id, documentId: doc, source: `/${doc}`, text: id, start: 0, end: id.length, index: 0, metadata: {} }, score };
}

const list = fc
  .uniqueArray(
    fc.tuple(
      fc.constantFrom(..."abcdefghijklmnop"),
      fc.integer({ min: 0, max: 5000 }).map((n) => n / 100),
    ),
    { selector: ([id]) => id, maxLength: 12 },
  )
  .map((items) => items.map(([id, s]) => scored(id, s)).sort((x, y) => y.score - x.score));

describe("fusion", () => {
  it("returns exactly the union, sorted, with scores in [0, 1], for convex and rrf", () => {
    fc.assert(
      fc.property(
        list,
        list,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom("convex", "rrf") as fc.Arbitrary<"convex" | "rrf">,
        (lex, dense, w, fusion) => {
          const hits = fuse(lex, dense, { denseWeight: w, fusion });
          const union = new Set([...lex, ...dense].map((s) => s.chunk.id));
          expect(new Set(hits.map((h) => h.chunk.id))).toEqual(union);
          expect(hits.length).toBe(union.size);
          for (let i = 1; i < hits.length; i++)
            expect((hits[i - 1] as { score: number }).score).toBeGreaterThanOrEqual((hits[i] as { score: number }).score);
          for (const h of hits) {
            expect(h.score).toBeGreaterThanOrEqual(0);
            expect(h.score).toBeLessThanOrEqual(1 + 1e-9);
          }
        },
      ),
    );
  });

  it("with dense weight 0 the lexical order is kept; with an empty list the other one wins", () => {
    fc.assert(
      fc.property(list, list, (lex, dense) => {
        const lexicalOnly = fuse(lex, dense, { denseWeight: 0, fusion: "convex" }).filter((h) => h.scores.lexical !== undefined);
        const scores = lexicalOnly.map((h) => h.scores.lexical as number);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
        const denseOnly = fuse([], dense, { denseWeight: 0.2, fusion: "convex" });
        expect(denseOnly.map((h) => h.scores.dense)).toEqual([...dense].map((d) => d.score).sort((a, b) => b - a));
      }),
    );
  });

  it("a document first in both lists is first after fusion", () => {
    fc.assert(
      fc.property(list, list, fc.double({ min: 0, max: 1, noNaN: true }), (lex, dense, w) => {
        const top = scored("TOP", 1000);
        const hits = fuse([top, ...lex], [top, ...dense], { denseWeight: w, fusion: "convex" });
        expect(hits[0]?.chunk.id).toBe("TOP");
      }),
    );
  });

  it("a small dense weight only reorders near-ties of the lexical ranking", () => {
    const lex = [scored("a", 10), scored("b", 9.9), scored("c", 2)];
    const dense = [scored("c", 0.9), scored("b", 0.8), scored("a", 0.1)];
    const ids = fuse(lex, dense, { denseWeight: 0.2, fusion: "convex" }).map((h) => h.chunk.id);
    expect(ids).toEqual(["b", "a", "c"]);
  });

  it("collapsing keeps the best chunk of each document, in order", () => {
    const hits = fuse([scored("d1#0", 5, "d1"), scored("d1#1", 4, "d1"), scored("d2#0", 3, "d2")], [], {
      denseWeight: 0,
      fusion: "convex",
    });
    expect(collapseToDocuments(hits).map((h) => h.chunk.id)).toEqual(["d1#0", "d2#0"]);
  });
});

import { describe, expect, it } from "vitest";
import { rerankHits } from "../../src/rerank/rerank.js";
import type { Reranker } from "../../src/rerank/types.js";
import type { Hit } from "../../src/types.js";

export function hitsOf(texts: string[]): Hit[] {
  return texts.map((text, i) => ({
    chunk: { id: `d${i}#0`, documentId: `d${i}`, source: `mem://d${i}`, text, start: 0, end: text.length, index: 0, metadata: {} },
    score: 1 - i / 100,
    scores: { lexical: 1 - i / 100 },
  }));
}

/**
 * What every reranker provider must do, run against each of them: one finite score per passage in
 * input order, the same scores again for the same input, empty input, batches past `maxBatchSize`,
 * an abort that stops it, and search results that follow its scores.
 */
export function testReranker(name: string, make: () => Promise<Reranker>, passages: { query: string; texts: string[] }): void {
  describe(`reranker conformance: ${name}`, () => {
    it("scores every passage, deterministically, in input order", async () => {
      const reranker = await make();
      try {
        expect(reranker.id.length).toBeGreaterThan(0);
        expect((await reranker.score(passages.query, [])).scores).toEqual([]);
        const first = await reranker.score(passages.query, passages.texts);
        expect(first.scores).toHaveLength(passages.texts.length);
        for (const s of first.scores) expect(Number.isFinite(s)).toBe(true);
        expect((await reranker.score(passages.query, passages.texts)).scores).toEqual(first.scores);
        // A passage scored alone gets the score it got among the others.
        const [alone] = (await reranker.score(passages.query, [passages.texts[1] as string])).scores;
        const together = first.scores[1] as number;
        expect(Math.abs((alone as number) - together)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(together)));
      } finally {
        await reranker.close();
      }
    });

    it("reorders hits by its scores across batch boundaries and cuts to k", async () => {
      const reranker = await make();
      try {
        const texts = Array.from({ length: reranker.maxBatchSize + 2 }, (_, i) => passages.texts[i % passages.texts.length] as string);
        const hits = hitsOf(texts);
        const { scores } = await reranker.score(passages.query, texts);
        const { hits: reranked, warnings } = await rerankHits(reranker, passages.query, hits, { k: 3 });
        expect(warnings).toEqual([]);
        expect(reranked).toHaveLength(3);
        const best = [...(scores as number[])].sort((a, b) => b - a).slice(0, 3);
        expect(reranked.map((h) => h.scores.rerank)).toEqual(best);
        expect(reranked.map((h) => h.score)).toEqual(best);
      } finally {
        await reranker.close();
      }
    });

    it("stops on an aborted signal with ABORTED", async () => {
      const reranker = await make();
      try {
        const controller = new AbortController();
        controller.abort();
        await expect(reranker.score(passages.query, passages.texts, { signal: controller.signal })).rejects.toMatchObject({
          code: "ABORTED",
        });
      } finally {
        await reranker.close();
      }
    });
  });
}

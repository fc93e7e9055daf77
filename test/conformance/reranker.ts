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

export interface RerankerTraits {
  /**
   * A judge that reads the passages together (an LLM): a passage's score may depend on the others,
   * and a passage it gave no readable score is left unscored, with a warning.
   */
  listwise?: boolean;
}

const finite = (s: number | undefined): s is number => typeof s === "number" && Number.isFinite(s);

/**
 * What every reranker provider must do, run against each of them: one score per passage in input
 * order (finite, or for a listwise judge unscored with a warning), the same scores again for the
 * same input, empty input, batches past `maxBatchSize`, an abort that stops it, and search results
 * that follow its scores.
 */
export function testReranker(
  name: string,
  make: () => Promise<Reranker>,
  passages: { query: string; texts: string[] },
  traits: RerankerTraits = {},
): void {
  describe(`reranker conformance: ${name}`, () => {
    it("scores every passage, deterministically, in input order", async () => {
      const reranker = await make();
      try {
        expect(reranker.id.length).toBeGreaterThan(0);
        expect((await reranker.score(passages.query, [])).scores).toEqual([]);
        const first = await reranker.score(passages.query, passages.texts);
        expect(first.scores).toHaveLength(passages.texts.length);
        if (traits.listwise) {
          for (const s of first.scores) expect(s === undefined || (finite(s) && s >= 0)).toBe(true);
          if (!first.scores.every(finite)) expect(first.warnings?.length).toBeGreaterThan(0);
        } else for (const s of first.scores) expect(finite(s)).toBe(true);
        expect((await reranker.score(passages.query, passages.texts)).scores).toEqual(first.scores);
        if (traits.listwise) return;
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
        // What the reranker says per batch, as rerankHits will ask it.
        const scores: Array<number | undefined> = [];
        for (let i = 0; i < texts.length; i += reranker.maxBatchSize)
          scores.push(...(await reranker.score(passages.query, texts.slice(i, i + reranker.maxBatchSize))).scores);
        const { hits: reranked, warnings } = await rerankHits(reranker, passages.query, hits, { k: 3 });
        if (scores.every(finite)) expect(warnings).toEqual([]);
        else expect(warnings.length).toBeGreaterThan(0);
        expect(reranked).toHaveLength(3);
        // Scored hits first, best first; unscored ones after them in their first-stage order.
        const order = scores
          .map((score, i) => ({ score, i }))
          .sort((a, b) => (finite(b.score) ? b.score : -Infinity) - (finite(a.score) ? a.score : -Infinity) || a.i - b.i)
          .slice(0, 3);
        expect(reranked.map((h) => h.chunk.id)).toEqual(order.map((o) => hits[o.i]?.chunk.id));
        expect(reranked.map((h) => h.scores.rerank)).toEqual(order.map((o) => (finite(o.score) ? o.score : undefined)));
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

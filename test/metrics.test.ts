import { describe, expect, it } from "vitest";
import { meanMetrics, queryMetrics } from "../src/eval/metrics.js";
import { formatRun, trecOrder } from "../src/eval/trec.js";

describe("retrieval metrics (trec_eval definitions)", () => {
  it("computes graded nDCG, recall, MRR and AP by hand-checked values", () => {
    const judged = new Map([
      ["d1", 3],
      ["d2", 1],
      ["d3", 2],
      ["d9", 0],
    ]);
    const m = queryMetrics(["d2", "d9", "d1", "x"], judged);
    const dcg = 1 / Math.log2(2) + 3 / Math.log2(4);
    const idcg = 3 / Math.log2(2) + 2 / Math.log2(3) + 1 / Math.log2(4);
    expect(m["ndcg@10"]).toBeCloseTo(dcg / idcg, 10);
    expect(m["recall@10"]).toBeCloseTo(2 / 3, 10);
    expect(m["mrr@10"]).toBe(1);
    expect(m["map@100"]).toBeCloseTo((1 / 1 + 2 / 3) / 3, 10);
  });

  it("averages over judged queries only, counting missing runs as zero", () => {
    const qrels = new Map([
      ["q1", new Map([["a", 1]])],
      ["q2", new Map([["b", 1]])],
      ["q3", new Map([["c", 0]])],
    ]);
    const { metrics, queries } = meanMetrics(new Map([["q1", ["a"]]]), qrels);
    expect(queries).toBe(2);
    expect(metrics["ndcg@10"]).toBeCloseTo(0.5, 10);
    expect(metrics["mrr@10"]).toBeCloseTo(0.5, 10);
  });

  it("orders ties the way trec_eval reads them back and writes a valid run", () => {
    const ordered = trecOrder([
      { id: "a", score: 1.0000001 },
      { id: "b", score: 1.0000002 },
      { id: "c", score: 2 },
    ]);
    expect(ordered.map((r) => r.id)).toEqual(["c", "b", "a"]);
    const run = formatRun(
      new Map([
        [
          "q1",
          [
            { id: "a", score: 0.5 },
            { id: "b", score: 0.7 },
          ],
        ],
      ]),
    );
    expect(run).toBe("q1 Q0 b 1 0.700000 ragkit\nq1 Q0 a 2 0.500000 ragkit\n");
  });
});

/** Relevance judgments: query id → document id → graded relevance (> 0 counts as relevant). */
export type Qrels = Map<string, Map<string, number>>;
/** A ranked list of document ids per query, best first. */
export type Run = Map<string, string[]>;

// A type, not an interface, so a run's metrics are a Record<string, number> to `eval compare`.
export type RetrievalMetrics = {
  "ndcg@10": number;
  "recall@10": number;
  "recall@100": number;
  "mrr@10": number;
  "map@100": number;
};

/** Per-query metrics with trec_eval's definitions: linear graded gains, log2 discount. */
export function queryMetrics(ranking: string[], judged: Map<string, number>): RetrievalMetrics {
  const relevant = [...judged.entries()].filter(([, gain]) => gain > 0);
  const totalRelevant = relevant.length;
  const gainOf = (id: string) => Math.max(0, judged.get(id) ?? 0);

  let dcg = 0;
  for (let i = 0; i < Math.min(10, ranking.length); i++) dcg += gainOf(ranking[i] as string) / Math.log2(i + 2);
  const ideal = relevant.map(([, gain]) => gain).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(10, ideal.length); i++) idcg += (ideal[i] as number) / Math.log2(i + 2);

  const foundWithin = (k: number) => ranking.slice(0, k).filter((id) => gainOf(id) > 0).length;
  const firstRelevant = ranking.slice(0, 10).findIndex((id) => gainOf(id) > 0);

  let precisionSum = 0;
  let hits = 0;
  ranking.slice(0, 100).forEach((id, i) => {
    if (gainOf(id) > 0) {
      hits++;
      precisionSum += hits / (i + 1);
    }
  });

  return {
    "ndcg@10": idcg > 0 ? dcg / idcg : 0,
    "recall@10": totalRelevant > 0 ? foundWithin(10) / totalRelevant : 0,
    "recall@100": totalRelevant > 0 ? foundWithin(100) / totalRelevant : 0,
    "mrr@10": firstRelevant >= 0 ? 1 / (firstRelevant + 1) : 0,
    "map@100": totalRelevant > 0 ? precisionSum / totalRelevant : 0,
  };
}

/** Mean over every query that has at least one relevant document; a query with no results scores 0. */
export function meanMetrics(run: Run, qrels: Qrels): { metrics: RetrievalMetrics; queries: number } {
  const sum: RetrievalMetrics = { "ndcg@10": 0, "recall@10": 0, "recall@100": 0, "mrr@10": 0, "map@100": 0 };
  let queries = 0;
  for (const [queryId, judged] of qrels) {
    if (![...judged.values()].some((g) => g > 0)) continue;
    const m = queryMetrics(run.get(queryId) ?? [], judged);
    for (const key of Object.keys(sum) as Array<keyof RetrievalMetrics>) sum[key] += m[key];
    queries++;
  }
  for (const key of Object.keys(sum) as Array<keyof RetrievalMetrics>) sum[key] = queries > 0 ? sum[key] / queries : 0;
  return { metrics: sum, queries };
}

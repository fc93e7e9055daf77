export interface ScoredDoc {
  id: string;
  score: number;
}

const DECIMALS = 6;

/**
 * Orders results exactly as trec_eval will read them back: by the score as printed, then by
 * document id descending. Scoring this order is what makes our numbers match an external scorer's.
 */
export function trecOrder(results: ScoredDoc[]): ScoredDoc[] {
  return results
    .map((r) => ({ id: r.id, score: Number(r.score.toFixed(DECIMALS)) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** TREC run format: `qid Q0 docid rank score tag`, one line per retrieved document. */
export function formatRun(run: Map<string, ScoredDoc[]>, tag = "ragkit"): string {
  const lines: string[] = [];
  for (const [queryId, results] of run) {
    for (const [i, r] of trecOrder(results).entries()) lines.push(`${queryId} Q0 ${r.id} ${i + 1} ${r.score.toFixed(DECIMALS)} ${tag}`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

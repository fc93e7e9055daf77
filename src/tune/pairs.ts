import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { RagkitError } from "../errors.js";
import type { QaItem } from "../eval/answers.js";
import { type BeirQuery, beirPaths, readJsonl, readQrels } from "../eval/beir.js";
import { analyze } from "../text/analyzer.js";
import type { FeedbackRecord, TrainingPair, TrainingSource } from "../types.js";

const MAX_QUERY_CHARS = 2000;

/** Queries from a BEIR folder with the judgements of one qrels split. */
export async function pairsFromBeir(dir: string, split: string): Promise<TrainingPair[]> {
  const paths = beirPaths(dir, split);
  const qrels = await readQrels(paths.qrels);
  const pairs: TrainingPair[] = [];
  for await (const q of readJsonl<BeirQuery>(paths.queries)) {
    const judged = qrels.get(String(q._id));
    if (judged) pairs.push({ id: String(q._id), query: q.text, gold: judged, source: "qrels" });
  }
  return pairs;
}

/** A questions JSONL of `eval answers` ({_id, question, answers, gold_ids}); items without gold ids are skipped. */
export async function pairsFromQaFile(file: string): Promise<TrainingPair[]> {
  const pairs: TrainingPair[] = [];
  let line = 0;
  for await (const item of readJsonl<Partial<QaItem>>(file)) {
    line++;
    if (typeof item.question !== "string" || !Array.isArray(item.gold_ids) || item.gold_ids.length === 0) continue;
    const gold = new Map(item.gold_ids.map((id) => [String(id), 1]));
    pairs.push({ id: String(item._id ?? `line-${line}`), query: item.question, gold, source: "qa" });
  }
  return pairs;
}

/** Questions with gold document ids (e.g. synthetic ones from `eval questions`) as pairs. */
export function pairsFromQuestions(items: QaItem[], source: TrainingSource): TrainingPair[] {
  return items
    .filter((item) => item.gold_ids && item.gold_ids.length > 0)
    .map((item) => ({ id: item._id, query: item.question, gold: new Map((item.gold_ids ?? []).map((id) => [id, 1])), source }));
}

/** Where `--dataset` points: a BEIR folder (with its qrels split) or a questions JSONL file. */
export async function pairsFromDataset(dataset: string, split: string): Promise<TrainingPair[]> {
  if (!existsSync(dataset))
    throw new RagkitError("DATASET_INVALID", `${dataset} does not exist; pass a BEIR folder or a questions .jsonl file`);
  if (statSync(dataset).isDirectory()) {
    if (existsSync(path.join(dataset, "corpus.jsonl"))) return pairsFromBeir(dataset, split);
    const questions = path.join(dataset, "questions.jsonl");
    if (existsSync(questions)) return pairsFromQaFile(questions);
    throw new RagkitError("DATASET_INVALID", `${dataset} holds neither corpus.jsonl (BEIR) nor questions.jsonl`);
  }
  return pairsFromQaFile(dataset);
}

/** Thumbs up make a pair (the rated document answers the query); thumbs down add its negatives. */
export function pairsFromFeedback(records: FeedbackRecord[]): TrainingPair[] {
  const byQuery = new Map<string, TrainingPair>();
  for (const record of records) {
    if (!record.documentId) continue;
    const key = record.query.trim().toLowerCase();
    const pair: TrainingPair = byQuery.get(key) ?? {
      id: `feedback-${shortHash(key)}`,
      query: record.query,
      gold: new Map(),
      negatives: [],
      source: "feedback",
    };
    byQuery.set(key, pair);
    if (record.rating > 0) pair.gold.set(record.documentId, 1);
    else pair.negatives?.push(record.documentId);
  }
  return [...byQuery.values()].filter((p) => p.gold.size > 0);
}

/**
 * Keeps pairs worth training on: a query with at least two searchable terms and a relevant
 * document the index holds; the same question twice (case and spacing aside) counts once.
 */
export function cleanPairs(pairs: TrainingPair[], exists: (documentId: string) => boolean): { kept: TrainingPair[]; dropped: number } {
  const seen = new Set<string>();
  const kept: TrainingPair[] = [];
  for (const pair of pairs) {
    const query = pair.query.slice(0, MAX_QUERY_CHARS).trim();
    const key = query.toLowerCase().replace(/\s+/g, " ");
    const gold = new Map([...pair.gold].filter(([id, gain]) => gain > 0 && exists(id)));
    if (seen.has(key) || analyze(query).length < 2 || gold.size === 0) continue;
    seen.add(key);
    kept.push({ ...pair, query, gold });
  }
  return { kept, dropped: pairs.length - kept.length };
}

/** What the pairs were, for the tuning record: same data, same hash. */
export function pairsHash(pairs: TrainingPair[]): string {
  const hash = createHash("sha256");
  for (const p of [...pairs].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    hash.update(`${p.id}\u0000${p.query}\u0000${[...p.gold].sort().join(",")}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

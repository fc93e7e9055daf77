import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { RagkitError } from "../errors.js";
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_USER_TEMPLATE } from "../generate/prompt.js";
import type { Generator } from "../generate/types.js";
import type { Rag } from "../rag.js";
import type { Answer } from "../types.js";
import { VERSION } from "../version.js";
import { corpusBleu, exactMatch, maxOverGold, normalizeSquad, rougeL, rougeN, sentenceBleu, tokenF1 } from "./answer-metrics.js";
import { ingestCorpus, readJsonl } from "./beir.js";

export interface QaItem {
  _id: string;
  question: string;
  answers: string[];
  gold_ids?: string[];
  /** Where the answer is, for document collections: the file (path suffix) and the heading of its section. */
  gold_source?: string;
  gold_section?: string;
}

export interface AnswerResult {
  id: string;
  question: string;
  answer: string;
  gold: string[];
  goldIds: string[];
  citations: Array<{ marker: number; documentId: string; start: number; end: number; quote: string }>;
  hits: Array<{ documentId: string; score: number }>;
  metrics: Record<string, number>;
}

/** The run file of `ragkit eval answers --out`: configuration, means, and every question's result. */
export interface AnswerRun {
  kind: "answers";
  dataset: string;
  partial: boolean;
  config: Record<string, unknown>;
  metrics: Record<string, number>;
  results: AnswerResult[];
}

export interface AnswerEvalOptions {
  /** Corpus JSONL `{_id, title, text}`, or a folder of documents ingested as files. */
  corpus?: string;
  limit?: number;
  seed?: number;
  out?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Ask the configured model to judge faithfulness and relevance of every answer. */
  judge?: boolean;
}

export const JUDGE_PROMPT = [
  "You grade an answer produced from numbered passages.",
  "faithful: 1 if every claim in the answer is supported by the passages it cites, else 0.",
  "relevance: 1 (off-topic) to 5 (fully answers the question).",
  'Reply with JSON only: {"faithful": 0 or 1, "relevance": 1-5}.',
].join(" ");

export function parseJudge(text: string): { faithful: number; relevance: number } | undefined {
  const match = /\{[^{}]*\}/.exec(text);
  if (!match) return undefined;
  try {
    const parsed = JSON.parse(match[0]) as { faithful?: unknown; relevance?: unknown };
    const faithful = Number(parsed.faithful);
    const relevance = Number(parsed.relevance);
    if (![0, 1].includes(faithful) || !(relevance >= 1 && relevance <= 5)) return undefined;
    return { faithful, relevance };
  } catch {
    return undefined;
  }
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** Per-question metrics: SQuAD EM/F1, BLEU, ROUGE, and what retrieval and citations got right. */
export function scoreAnswer(answer: Answer, item: QaItem): Record<string, number> {
  const text = answer.text;
  const gold = item.answers;
  const normalizedGold = gold.map(normalizeSquad).filter(Boolean);
  const contains = (s: string) => {
    const n = normalizeSquad(s);
    return normalizedGold.some((g) => n.includes(g));
  };
  const goldIds = new Set(item.gold_ids ?? []);
  return {
    em: maxOverGold(exactMatch, text, gold),
    f1: maxOverGold(tokenF1, text, gold),
    bleu: gold.length > 0 ? sentenceBleu(text, gold) : 0,
    rouge1: maxOverGold((p, g) => rougeN(g, p, 1).fmeasure, text, gold),
    rouge2: maxOverGold((p, g) => rougeN(g, p, 2).fmeasure, text, gold),
    rougeL: maxOverGold((p, g) => rougeL(g, p).fmeasure, text, gold),
    containsAnswer: contains(text) ? 1 : 0,
    abstained: answer.grounded ? 0 : 1,
    goldInTopK: answer.hits.some((h) => goldIds.has(h.chunk.documentId)) ? 1 : 0,
    retrievedContainsAnswer: answer.hits.some((h) => contains(h.chunk.text)) ? 1 : 0,
    citationSupportsAnswer:
      answer.citations.length > 0 ? answer.citations.filter((c) => contains(c.quote)).length / answer.citations.length : 0,
    hasCitation: answer.citations.length > 0 ? 1 : 0,
    ...(item.gold_source ? sectionMetrics(answer, item) : {}),
  };
}

/** For collections labelled by section: did the answer come from the right file and the right section? */
function sectionMetrics(answer: Answer, item: QaItem): Record<string, number> {
  const first = answer.citations[0];
  const inSource = (source: string) => source.replaceAll("\\", "/").endsWith(item.gold_source as string);
  const sectionOf = (headings: unknown) => (Array.isArray(headings) ? headings.at(-1) : undefined);
  return {
    sourceHit: first && inSource(first.source) ? 1 : 0,
    ...(item.gold_section
      ? {
          sectionHit:
            first &&
            inSource(first.source) &&
            sectionOf(answer.hits.find((h) => h.chunk.id === first.chunkId)?.chunk.metadata.headings) === item.gold_section
              ? 1
              : 0,
          sectionInTopK: answer.hits.some((h) => inSource(h.chunk.source) && sectionOf(h.chunk.metadata.headings) === item.gold_section)
            ? 1
            : 0,
        }
      : {}),
  };
}

/** A fixed subsample: the same seed and limit always pick the same questions. */
export function subsample<T extends { _id: string }>(items: T[], limit: number | undefined, seed: number): T[] {
  if (!limit || limit >= items.length) return items;
  return [...items]
    .map((item) => ({ item, key: sha(`${seed}:${item._id}`) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .slice(0, limit)
    .map((x) => x.item);
}

function qaPaths(dataset: string, corpus?: string) {
  const resolved = path.resolve(dataset);
  const folder = existsSync(resolved) && statSync(resolved).isDirectory();
  const questions = folder ? path.join(resolved, "questions.jsonl") : resolved;
  const corpusFile = corpus ? path.resolve(corpus) : folder ? path.join(resolved, "corpus.jsonl") : undefined;
  if (!existsSync(questions))
    throw new RagkitError("DATASET_INVALID", `${questions} is missing: a QA dataset is JSONL {_id, question, answers[], gold_ids[]}`);
  if (corpusFile && !existsSync(corpusFile)) throw new RagkitError("DATASET_INVALID", `${corpusFile} is missing`);
  return { questions, corpus: corpusFile };
}

/** The LLM judge's verdict on one answer, given the passages it cites (or the first hits). */
async function judge(generator: Generator, item: QaItem, answer: Answer): Promise<Record<string, number>> {
  const passages =
    answer.citations.length > 0
      ? answer.citations.map((c) => `[${c.marker}] ${c.quote}`)
      : answer.hits.slice(0, 3).map((h, i) => `[${i + 1}] ${h.chunk.text}`);
  let reply = "";
  const judgeMessages = [
    { role: "system" as const, content: JUDGE_PROMPT },
    { role: "user" as const, content: `Passages:\n${passages.join("\n")}\n\nQuestion: ${item.question}\n\nAnswer: ${answer.text}` },
  ];
  for await (const delta of generator.stream(judgeMessages, { maxTokens: 64, temperature: 0 })) reply += delta;
  const verdict = parseJudge(reply);
  // An unreadable verdict counts as unjudged, never as a pass.
  return verdict ? { judged: 1, judgeFaithful: verdict.faithful, judgeRelevance: verdict.relevance } : { judged: 0 };
}

/** Each metric's mean over the answers that have it (judge scores: those the judge could score), and corpus BLEU. */
function aggregateMetrics(results: AnswerResult[]): Record<string, number> {
  const aggregate: Record<string, number> = {};
  for (const key of new Set(results.flatMap((r) => Object.keys(r.metrics)))) {
    const scored = results.filter((r) => key in r.metrics);
    aggregate[key] = scored.reduce((sum, r) => sum + (r.metrics[key] ?? 0), 0) / scored.length;
  }
  if (results.length > 0) {
    const streams = Math.max(...results.map((r) => r.gold.length));
    aggregate.corpusBleu = corpusBleu(
      results.map((r) => r.answer),
      Array.from({ length: streams }, (_, k) => results.map((r) => r.gold[k] ?? r.gold[0] ?? "")),
    );
  }
  return aggregate;
}

/**
 * Ingests the corpus (if given), answers every (sampled) question with the Rag's configured
 * answerer and scores it. An abort stops after the current question and keeps what was scored.
 */
export async function evaluateAnswers(rag: Rag, dataset: string, options: AnswerEvalOptions = {}): Promise<AnswerRun> {
  const paths = qaPaths(dataset, options.corpus);
  if (paths.corpus && statSync(paths.corpus).isDirectory()) await rag.ingest(paths.corpus);
  else if (paths.corpus) await ingestCorpus(rag, paths.corpus);
  const all: QaItem[] = [];
  for await (const item of readJsonl<QaItem>(paths.questions)) all.push({ ...item, _id: String(item._id) });
  const seed = options.seed ?? 13;
  const items = subsample(all, options.limit, seed);
  const generator = await rag.generator();
  if (options.judge && !generator)
    throw new RagkitError("INVALID_CONFIG", "The LLM judge needs a model: pass --model (and --base-url for a server)");
  const g = rag.config.generate;
  const results: AnswerResult[] = [];
  for (const item of items) {
    if (options.signal?.aborted) break;
    const answer = await rag.ask(item.question);
    const metrics = scoreAnswer(answer, item);
    if (options.judge && generator) Object.assign(metrics, await judge(generator, item, answer));
    results.push({
      id: item._id,
      question: item.question,
      answer: answer.text,
      gold: item.answers,
      goldIds: item.gold_ids ?? [],
      citations: answer.citations.map(({ marker, documentId, start, end, quote }) => ({ marker, documentId, start, end, quote })),
      hits: answer.hits.map((h) => ({ documentId: h.chunk.documentId, score: h.score })),
      metrics,
    });
    options.onProgress?.(results.length, items.length);
  }
  const aggregate = aggregateMetrics(results);
  const run: AnswerRun = {
    kind: "answers",
    dataset: paths.questions,
    partial: results.length < items.length,
    config: {
      ragkitVersion: VERSION,
      embedder: rag.embedder.id,
      chunk: rag.config.chunk,
      mode: rag.config.search.mode,
      denseWeight: rag.config.search.denseWeight,
      passages: rag.config.answer.passages,
      model: generator?.model ?? "ragkit-extractive",
      promptHash: sha((g.systemPrompt || DEFAULT_SYSTEM_PROMPT) + (g.userTemplate || DEFAULT_USER_TEMPLATE)).slice(0, 16),
      datasetHash: sha(await readFile(paths.questions, "utf8")).slice(0, 16),
      limit: options.limit ?? null,
      seed,
      questions: items.length,
      ...(options.judge ? { judgePrompt: JUDGE_PROMPT } : {}),
    },
    metrics: aggregate,
    results,
  };
  if (options.out) await writeFile(options.out, JSON.stringify(run, null, 2));
  return run;
}

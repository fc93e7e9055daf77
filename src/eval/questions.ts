import { createHash } from "node:crypto";
import type { Generator } from "../generate/types.js";
import type { Rag } from "../rag.js";
import { analyze } from "../text/analyzer.js";
import { sentenceSpans } from "../text/sentences.js";
import type { QaItem } from "./answers.js";

export interface QuestionOptions {
  count: number;
  seed?: number;
}

const QUESTION_PROMPT =
  'Write one question that the passage answers, and the shortest answer copied from the passage. Reply with JSON only: {"question": "...", "answer": "..."}';

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Without a model: the passage's most specific sentence is the answer, its key terms the question. */
function extractiveQuestion(text: string): { question: string; answer: string } | undefined {
  const sentences = sentenceSpans(text)
    .map(([s, e]) => text.slice(s, e))
    .filter((s) => s.split(/\s+/).length >= 6 && !/^\s*#/.test(s));
  const best = sentences.sort((a, b) => new Set(analyze(b)).size - new Set(analyze(a)).size)[0];
  if (!best) return undefined;
  const words = best
    .replace(/[^\p{L}\p{N}\s-]/gu, " ")
    .split(/\s+/)
    .filter((w) => w.length > 3)
    .slice(0, 8);
  return { question: `What does the document say about ${words.join(" ")}?`, answer: best };
}

/**
 * Synthetic QA pairs drawn from the index, with the source document as gold: questions written by
 * the configured model, or extractive ones without a model. Chunks are picked by a seeded hash.
 */
export async function generateQuestions(rag: Rag, options: QuestionOptions): Promise<QaItem[]> {
  const seed = options.seed ?? 13;
  const documents = (await rag.documents()).map((d) => ({ d, key: createHash("sha256").update(`${seed}:${d.id}`).digest("hex") }));
  documents.sort((a, b) => (a.key < b.key ? -1 : 1));
  const generator: Generator | undefined = await rag.generator();
  const out: QaItem[] = [];
  for (const { d } of documents) {
    if (out.length >= options.count) break;
    const chunks = await rag.getChunks(d.id);
    const document = await rag.getDocument(d.id);
    const chunk =
      chunks[Number.parseInt(createHash("sha256").update(`${seed}:${d.id}:c`).digest("hex").slice(0, 8), 16) % Math.max(1, chunks.length)];
    if (!chunk || !document) continue;
    const passage = document.text.slice(chunk.start, chunk.end);
    let pair: { question: string; answer: string } | undefined;
    if (generator) {
      let reply = "";
      for await (const delta of generator.stream(
        [
          { role: "system", content: QUESTION_PROMPT },
          { role: "user", content: passage },
        ],
        { maxTokens: 128, temperature: 0.2 },
      )) {
        reply += delta;
      }
      const parsed = parseJsonObject(reply);
      if (typeof parsed?.question === "string" && typeof parsed.answer === "string" && parsed.question.trim()) {
        pair = { question: parsed.question.trim(), answer: parsed.answer.trim() };
      }
    }
    pair ??= extractiveQuestion(passage);
    if (!pair) continue;
    out.push({ _id: `synthetic-${out.length + 1}`, question: pair.question, answers: [pair.answer], gold_ids: [d.id] });
  }
  return out;
}

import type { RagkitConfig } from "../config.js";
import { RagkitError } from "../errors.js";
import type { AskOptions, SearchOptions } from "../rag-options.js";
import { countTermChunks } from "../retrieve/term-frequency.js";
import type { Store } from "../store/types.js";
import type { Hit } from "../types.js";
import type { AskEvent } from "./answer.js";
import { answerExtractively, questionTerms, TERM_DF_CAP } from "./extractive.js";
import { headingsOf } from "./extractive-units.js";
import type { Generator } from "./types.js";

/** What answering needs from the `Rag` it runs in. */
export interface AskContext {
  config: RagkitConfig;
  store: Pick<Store, "getDocument" | "rankLexical">;
  generator(): Promise<Generator | undefined>;
  search(query: string, options: SearchOptions): Promise<Hit[]>;
}

/** The full texts of the hits' documents, for passages and sections that read past a chunk. */
export async function documentTexts(store: Pick<Store, "getDocument">, hits: Hit[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const id of new Set(hits.map((h) => h.chunk.documentId))) {
    const document = await store.getDocument(id);
    if (document) texts.set(id, document.text);
  }
  return texts;
}

/**
 * One question answered as events: a follow-up rewritten to stand alone, the hits, then the
 * answer, written by the configured model or, without one, quoted extractively.
 */
export async function* askEvents(ctx: AskContext, question: string, options: AskOptions = {}): AsyncGenerator<AskEvent> {
  if (question.trim().length === 0) throw new RagkitError("INVALID_ARGUMENT", "The question is empty");
  const generator = await ctx.generator();
  const previous = options.history?.filter((m) => m.role === "user").map((m) => m.content) ?? [];
  const query =
    previous.length > 0 && options.history
      ? await (await import("./standalone.js")).standaloneQuestion(options.history, previous.at(-1) as string, question, generator)
      : question;
  const hits = await ctx.search(query, { ...options, k: options.k ?? ctx.config.answer.passages });
  yield { type: "hits", hits, query };
  if (!generator) {
    const context = previous.length > 0 ? previous.slice(-2).join(" ") : undefined;
    // Only a Markdown hit is widened to its section: other documents (a long PDF) are not read.
    const sectioned = hits.filter((h) => headingsOf(h).length > 0);
    const answer = answerExtractively(question, hits, {
      maxSentences: options.maxSentences ?? ctx.config.answer.maxSentences,
      documentFrequency: await countTermChunks(ctx.store, questionTerms(`${question} ${context ?? ""}`), TERM_DF_CAP),
      documentTexts: await documentTexts(ctx.store, sectioned),
      ...(context ? { context } : {}),
    });
    yield { type: "token", text: answer.text };
    yield { type: "answer", answer };
    return;
  }
  const g = ctx.config.generate;
  const { generateAnswer } = await import("./answer.js");
  yield* generateAnswer(generator, {
    question,
    hits,
    documentTexts: await documentTexts(ctx.store, hits),
    contextTokens: g.contextTokens,
    maxTokens: g.maxTokens,
    temperature: g.temperature,
    ...(options.history ? { history: options.history } : {}),
    ...(g.systemPrompt ? { systemPrompt: g.systemPrompt } : {}),
    ...(g.userTemplate ? { userTemplate: g.userTemplate } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

import type { Answer, Hit } from "../types.js";
import { parseCitations } from "./citations.js";
import { NOT_FOUND } from "./extractive.js";
import { packPassages } from "./passages.js";
import { buildMessages } from "./prompt.js";
import type { ChatMessage, Generator } from "./types.js";

/** What `Rag.askStream` yields: the hits, then answer text as it arrives, then the finished answer. */
export type AskEvent = { type: "hits"; hits: Hit[]; query: string } | { type: "token"; text: string } | { type: "answer"; answer: Answer };

export interface GenerateAnswerOptions {
  question: string;
  hits: Hit[];
  /** Full texts of the hit documents, so neighbouring chunks can be merged and quoted exactly. */
  documentTexts: Map<string, string>;
  /** Tokens the passages may take. */
  contextTokens: number;
  maxTokens: number;
  temperature: number;
  history?: ChatMessage[];
  systemPrompt?: string;
  userTemplate?: string;
  signal?: AbortSignal;
}

// Room for the system prompt, the question and the chat template around the passages.
const PROMPT_OVERHEAD = 256;

/** Packs passages, streams the model's answer and maps its `[n]` markers back to exact spans. */
export async function* generateAnswer(generator: Generator, options: GenerateAnswerOptions): AsyncGenerator<AskEvent> {
  const budget = Math.max(0, Math.min(options.contextTokens, generator.contextWindow - options.maxTokens - PROMPT_OVERHEAD));
  const passages = await packPassages(options.hits, options.documentTexts, { budget, countTokens: (t) => generator.countTokens(t) });
  if (passages.length === 0) {
    yield { type: "token", text: NOT_FOUND };
    yield { type: "answer", answer: { text: NOT_FOUND, citations: [], hits: options.hits, model: generator.model, grounded: false } };
    return;
  }
  const messages = buildMessages({
    question: options.question,
    passages,
    ...(options.history ? { history: options.history } : {}),
    ...(options.systemPrompt ? { systemPrompt: options.systemPrompt } : {}),
    ...(options.userTemplate ? { userTemplate: options.userTemplate } : {}),
  });
  let text = "";
  let usage: Answer["usage"];
  for await (const delta of generator.stream(messages, {
    maxTokens: options.maxTokens,
    temperature: options.temperature,
    ...(options.signal ? { signal: options.signal } : {}),
    onUsage: (u) => {
      usage = u;
    },
  })) {
    text += delta;
    yield { type: "token", text: delta };
  }
  const { citations, dropped } = parseCitations(text, passages);
  yield {
    type: "answer",
    answer: {
      text: text.trim(),
      citations,
      hits: options.hits,
      model: generator.model,
      grounded: citations.length > 0,
      ...(usage ? { usage } : {}),
      ...(dropped.length > 0 ? { droppedMarkers: dropped } : {}),
    },
  };
}

import { countTokens } from "../chunk/tokens.js";
import type { QaItem } from "../eval/answers.js";
import { answerExtractively } from "../generate/extractive.js";
import { type Passage, packPassages } from "../generate/passages.js";
import { buildMessages } from "../generate/prompt.js";
import type { ChatMessage } from "../generate/types.js";
import type { ExportFormat, ExportReport, Hit } from "../types.js";

/** One training example for a generator: the prompt ragkit would send, and a cited answer. */
export interface GeneratorExample {
  id: string;
  messages: ChatMessage[];
  /** Where the answer came from: the dataset's gold answer, or an extractive answer over the passages. */
  answerFrom: "gold" | "extractive";
}

export interface ExportDeps {
  search: (question: string) => Promise<Hit[]>;
  documentText: (id: string) => Promise<string | undefined>;
  contextTokens: number;
}

/** The passages for a question as `ask` would pack them, then the answer a generator should learn to give. */
export async function generatorExample(deps: ExportDeps, item: QaItem): Promise<GeneratorExample | undefined> {
  const hits = await deps.search(item.question);
  const texts = new Map<string, string>();
  for (const id of new Set(hits.map((h) => h.chunk.documentId))) {
    const text = await deps.documentText(id);
    if (text !== undefined) texts.set(id, text);
  }
  const passages = await packPassages(hits, texts, { budget: deps.contextTokens, countTokens: async (t) => countTokens(t) });
  if (passages.length === 0) return undefined;
  const gold = goldAnswer(item, passages);
  const answer = gold ?? extractiveAnswer(item.question, hits, passages);
  if (!answer) return undefined;
  const messages = [...buildMessages({ question: item.question, passages }), { role: "assistant" as const, content: answer }];
  return { id: item._id, messages, answerFrom: gold ? "gold" : "extractive" };
}

/** The gold answer cited with the passage that holds it (or, failing that, a gold document's passage). */
function goldAnswer(item: QaItem, passages: Passage[]): string | undefined {
  for (const answer of item.answers) {
    const holder = passages.find((p) => p.text.toLowerCase().includes(answer.toLowerCase()));
    if (holder) return `${answer} [${holder.marker}]`;
  }
  const goldPassage = passages.find((p) => item.gold_ids?.includes(p.documentId));
  const first = item.answers[0];
  return goldPassage && first ? `${first} [${goldPassage.marker}]` : undefined;
}

/** Quoted sentences, each cited with the packed passage it lies in. */
function extractiveAnswer(question: string, hits: Hit[], passages: Passage[]): string | undefined {
  const answer = answerExtractively(question, hits, { maxSentences: 3 });
  const parts: string[] = [];
  for (const c of answer.citations) {
    const passage = passages.find((p) => p.documentId === c.documentId && p.start <= c.start && c.end <= p.end);
    if (passage) parts.push(`${c.quote.trim()} [${passage.marker}]`);
  }
  return parts.length > 0 ? parts.join(" ") : undefined;
}

/** A line of the chosen format. */
export function formatExample(example: GeneratorExample, format: ExportFormat): Record<string, unknown> {
  if (format === "openai-chat") return { messages: example.messages };
  const system = example.messages.find((m) => m.role === "system")?.content ?? "";
  const user = example.messages.find((m) => m.role === "user")?.content ?? "";
  const output = example.messages.at(-1)?.content ?? "";
  return { instruction: system, input: user, output };
}

/**
 * OpenAI's chat fine-tuning rules for one line: a non-empty `messages` list of system, user and
 * assistant turns with string content, at least one assistant turn, the last turn the assistant's.
 * Returns what is wrong, or nothing.
 */
export function checkChatLine(line: unknown): string[] {
  const problems: string[] = [];
  const messages = (line as { messages?: unknown })?.messages;
  if (!Array.isArray(messages) || messages.length === 0) return ["messages must be a non-empty list"];
  messages.forEach((m: { role?: unknown; content?: unknown }, i) => {
    if (!["system", "user", "assistant"].includes(String(m?.role)))
      problems.push(`message ${i}: role ${String(m?.role)} is not system, user or assistant`);
    if (typeof m?.content !== "string" || m.content.trim() === "") problems.push(`message ${i}: content must be a non-empty string`);
  });
  if ((messages.at(-1) as { role?: unknown })?.role !== "assistant") problems.push("the last message must be the assistant's");
  if (messages.filter((m: { role?: unknown }) => m?.role === "system").length > 1) problems.push("at most one system message");
  return problems;
}

export function exampleTokens(example: GeneratorExample): number {
  return example.messages.reduce((sum, m) => sum + countTokens(m.content) + 4, 0);
}

/** Every item as a line of `format`, with counts and token totals; lines are checked against the format. */
export async function exportGeneratorData(
  deps: ExportDeps,
  items: QaItem[],
  format: ExportFormat,
): Promise<{ lines: Array<Record<string, unknown>>; report: ExportReport }> {
  const lines: Array<Record<string, unknown>> = [];
  const tokens: number[] = [];
  let fromGold = 0;
  let invalid = 0;
  for (const item of items) {
    const example = await generatorExample(deps, item);
    if (!example) continue;
    const line = formatExample(example, format);
    if (format === "openai-chat" && checkChatLine(line).length > 0) invalid++;
    if (example.answerFrom === "gold") fromGold++;
    tokens.push(exampleTokens(example));
    lines.push(line);
  }
  const total = tokens.reduce((a, b) => a + b, 0);
  return {
    lines,
    report: {
      format,
      written: lines.length,
      skipped: items.length - lines.length,
      fromGold,
      fromExtractive: lines.length - fromGold,
      tokens: { total, mean: lines.length ? Math.round(total / lines.length) : 0, max: Math.max(0, ...tokens) },
      invalid,
    },
  };
}

import { RagkitError } from "../errors.js";
import type { ChatMessage, Generator } from "../generate/types.js";
import type { Reranker, RerankScores } from "./types.js";

const SYSTEM =
  "You judge how well passages answer a question. For every passage, write one line `<number>: <score>` with a score from 0 (unrelated) to 10 (answers it fully). Write nothing else.";

/** Reads `3: 7`, `[3] 7/10`, `Passage 3 - 7` lines; what it cannot read stays unscored. */
export function parseJudgements(text: string, count: number): Array<number | undefined> {
  const scores: Array<number | undefined> = new Array(count).fill(undefined);
  for (const line of text.split("\n")) {
    const match = /^\W*(?:passage\s*)?\[?(\d{1,3})\]?\s*[:=\-–)]?\s*(\d{1,2}(?:\.\d+)?)(?!\d)/i.exec(line.trim());
    if (!match) continue;
    const index = Number(match[1]) - 1;
    const score = Number(match[2]);
    if (index >= 0 && index < count && score >= 0 && score <= 10 && scores[index] === undefined) scores[index] = score;
  }
  return scores;
}

/**
 * The configured language model as a reranker: passages numbered in one prompt, a 0–10 line per
 * passage back. Malformed output is expected from small models: what cannot be read stays unscored
 * (the first stage keeps its order for it) and is reported as a warning.
 */
export class LlmReranker implements Reranker {
  readonly id: string;
  readonly maxBatchSize: number;
  private readonly maxPassageChars: number;

  constructor(
    private readonly generator: Generator,
    options: { batchSize?: number; maxPassageChars?: number } = {},
  ) {
    this.id = `llm:${generator.model}`;
    this.maxBatchSize = options.batchSize ?? 10;
    this.maxPassageChars = options.maxPassageChars ?? 1_200;
  }

  async score(query: string, passages: string[], options: { signal?: AbortSignal } = {}): Promise<RerankScores> {
    if (passages.length === 0) return { scores: [] };
    const listed = passages.map((p, i) => `[${i + 1}] ${p.slice(0, this.maxPassageChars).replace(/\s+/g, " ")}`).join("\n\n");
    const messages: ChatMessage[] = [
      { role: "system", content: SYSTEM },
      { role: "user", content: `Question: ${query}\n\nPassages:\n${listed}\n\nScores, one line per passage:` },
    ];
    let text = "";
    try {
      for await (const delta of this.generator.stream(messages, {
        maxTokens: 8 * passages.length + 16,
        temperature: 0,
        ...(options.signal ? { signal: options.signal } : {}),
      }))
        text += delta;
    } catch (error) {
      if (RagkitError.isInstance(error)) throw error;
      throw new RagkitError("PROVIDER_ERROR", `${this.id} failed while judging passages: ${(error as Error).message}`, { cause: error });
    }
    const scores = parseJudgements(text, passages.length);
    const missing = scores.filter((s) => s === undefined).length;
    return {
      scores,
      ...(missing > 0 ? { warnings: [`${this.id} gave no readable score for ${missing} of ${passages.length} passages`] } : {}),
    };
  }

  async close(): Promise<void> {}
}

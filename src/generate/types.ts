import type { Usage } from "../types.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface GenerateOptions {
  maxTokens?: number;
  temperature?: number;
  /** Generation ends (without error) before any of these strings. */
  stop?: string[];
  /** Aborting ends the stream with an ABORTED error. */
  signal?: AbortSignal;
  /** false asks the provider for the whole answer at once (it is then yielded as one piece). */
  stream?: boolean;
  /** Called once at the end with the token counts, when the provider reports them. */
  onUsage?: (usage: Usage) => void;
}

/**
 * A language model behind one method: messages in, text deltas out. Prompting, context packing and
 * citations live once in `answer.ts`; a generator only talks to its runtime.
 */
export interface Generator {
  /** Reported as `Answer.model`. */
  readonly model: string;
  /** Tokens the model can attend to (prompt + answer). */
  readonly contextWindow: number;
  stream(messages: ChatMessage[], options?: GenerateOptions): AsyncIterable<string>;
  /** Token count with the model's own tokenizer where the runtime exposes it. */
  countTokens(text: string): Promise<number>;
  close(): Promise<void>;
}

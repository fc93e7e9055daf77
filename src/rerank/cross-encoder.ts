import { RagkitError } from "../errors.js";
import { type Dtype, importTransformers, loadError, locateModel } from "../provider/transformers.js";
import type { Reranker, RerankScores } from "./types.js";

export interface CrossEncoderOptions {
  /** A hub id (e.g. Xenova/ms-marco-MiniLM-L-6-v2, Xenova/bge-reranker-base) or a local folder. */
  model: string;
  dtype?: Dtype;
  cacheDir?: string;
  batchSize?: number;
}

type Tokenizer = (texts: string[], options: object) => Record<string, unknown>;
type Classifier = (inputs: Record<string, unknown>) => Promise<{ logits: { data: Float32Array | number[]; dims: number[] } }>;

/**
 * A cross-encoder (query and passage read together) through transformers.js sequence
 * classification. One logit is the relevance (ms-marco MiniLM, bge-reranker); with several labels
 * the last one's log-odds is.
 */
export class CrossEncoderReranker implements Reranker {
  readonly id: string;
  readonly maxBatchSize: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly model: Classifier & { dispose?: () => Promise<void> },
    name: string,
    options: CrossEncoderOptions,
  ) {
    this.id = `cross-encoder:${name}`;
    this.maxBatchSize = options.batchSize ?? 16;
  }

  static async create(options: CrossEncoderOptions): Promise<CrossEncoderReranker> {
    const t = await importTransformers();
    const located = locateModel(t, options.model, options.dtype ?? "fp32", options.cacheDir);
    try {
      const tokenizer = (await t.AutoTokenizer.from_pretrained(located.name)) as unknown as Tokenizer;
      const model = (await t.AutoModelForSequenceClassification.from_pretrained(located.name, {
        dtype: options.dtype ?? "fp32",
      })) as unknown as Classifier;
      return new CrossEncoderReranker(tokenizer, model, located.name, options);
    } catch (error) {
      throw loadError(located, options.model, error);
    }
  }

  async score(query: string, passages: string[], options: { signal?: AbortSignal } = {}): Promise<RerankScores> {
    if (passages.length === 0) return { scores: [] };
    if (options.signal?.aborted) throw new RagkitError("ABORTED", "Reranking was aborted");
    try {
      const inputs = this.tokenizer(
        passages.map(() => query),
        { text_pair: passages, padding: true, truncation: true },
      );
      const { logits } = await this.model(inputs);
      const labels = logits.dims[1] ?? 1;
      const data = Array.from(logits.data);
      return {
        scores: passages.map((_, i) => {
          const row = data.slice(i * labels, (i + 1) * labels);
          if (labels === 1) return row[0];
          const last = row[labels - 1] as number;
          const others = Math.log(row.slice(0, -1).reduce((s, x) => s + Math.exp(x), 0));
          return last - others;
        }),
      };
    } catch (error) {
      throw new RagkitError("EMBEDDING_FAILED", `The cross-encoder ${this.id} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.model.dispose?.();
  }
}

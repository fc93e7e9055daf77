import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RagkitError } from "../src/errors.js";
import { LlamaCppGenerator } from "../src/generate/llama-cpp.js";
import { OpenAIGenerator } from "../src/generate/openai.js";
import { packPassages } from "../src/generate/passages.js";
import type { ChatMessage, Generator } from "../src/generate/types.js";
import { Rag } from "../src/rag.js";
import type { Hit } from "../src/types.js";
import { tempDir } from "./helpers/fs.js";
import { tinyGenerator, tinyModelFile } from "./helpers/models.js";
import { startOpenAIServer } from "./helpers/openai-server.js";

const QUESTION: ChatMessage[] = [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "What is the key?" },
];

async function collect(generator: Generator, messages: ChatMessage[], options = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const delta of generator.stream(messages, options)) out.push(delta);
  return out;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "no error";
  } catch (error) {
    return RagkitError.isInstance(error) ? error.code : `not a RagkitError: ${String(error)}`;
  }
}

describe("local GGUF generation (node-llama-cpp)", () => {
  it("streams tokens within the budget, counts with the model's tokenizer, and aborts", async () => {
    const generator = await tinyGenerator();
    try {
      let usage: { completionTokens?: number } | undefined;
      const deltas = await collect(generator, QUESTION, { maxTokens: 12, onUsage: (u: typeof usage) => (usage = u) });
      expect(deltas.length).toBeGreaterThan(1);
      expect(usage?.completionTokens).toBeGreaterThan(0);
      expect(usage?.completionTokens).toBeLessThanOrEqual(12);
      // Byte-fallback vocabulary: the model's own count differs from an o200k estimate.
      expect(await generator.countTokens("the answer is")).toBeGreaterThan(0);

      const controller = new AbortController();
      const seen: string[] = [];
      const aborted = (async () => {
        for await (const delta of generator.stream(QUESTION, { maxTokens: 400, signal: controller.signal })) {
          seen.push(delta);
          if (seen.length === 3) controller.abort();
        }
      })();
      expect(await codeOf(aborted)).toBe("ABORTED");
      expect(seen.length).toBeLessThan(20);
      // The model is usable again after an abort.
      expect((await collect(generator, QUESTION, { maxTokens: 4 })).length).toBeGreaterThan(0);
    } finally {
      await generator.close();
    }
  });

  it("packs passages under the token budget, best first, merging neighbours of one document", async () => {
    const generator = await tinyGenerator();
    try {
      const text = "Alpha beta gamma. ".repeat(40);
      const hit = (id: string, doc: string, start: number, end: number, score: number): Hit => ({
        chunk: { id, documentId: doc, source: `/${doc}`, text: text.slice(start, end), start, end, index: 0, metadata: {} },
        score,
        scores: {},
      });
      const hits = [hit("a#1", "a", 300, 500, 0.9), hit("b#0", "b", 0, 200, 0.8), hit("a#0", "a", 0, 320, 0.7)];
      const texts = new Map([
        ["a", text],
        ["b", text],
      ]);
      const all = await packPassages(hits, texts, { budget: 10_000, countTokens: (t) => generator.countTokens(t) });
      expect(all.map((p) => [p.documentId, p.start, p.end, p.chunks.length])).toEqual([
        ["a", 0, 500, 2],
        ["b", 0, 200, 1],
      ]);
      for (const p of all) expect(p.text).toBe(text.slice(p.start, p.end));
      const firstOnly = await generator.countTokens(`/a\n${text.slice(0, 500)}`);
      const tight = await packPassages(hits, texts, { budget: firstOnly, countTokens: (t) => generator.countTokens(t) });
      expect(tight.map((p) => p.documentId)).toEqual(["a"]);
    } finally {
      await generator.close();
    }
  });

  it("a model's [n] markers become citations with exact quotes; markers that point nowhere are dropped", async () => {
    const docs = await tempDir();
    await writeFile(path.join(docs, "keys.md"), "# Keys\n\nRotate the signing key every ninety days and revoke the old one.\n");
    const citing = await tinyGenerator({ favour: "▁[1]" });
    const rag = await Rag.open({ dir: path.join(await tempDir(), "idx"), generator: citing, config: { generate: { maxTokens: 8 } } });
    try {
      await rag.ingest([docs]);
      const answer = await rag.ask("How often is the signing key rotated?");
      expect(answer.model).toBe("tiny-favour.gguf");
      expect(answer.text).toContain("[1]");
      expect(answer.citations).toHaveLength(1);
      const [c] = answer.citations;
      expect(c?.marker).toBe(1);
      expect((await readFile(c?.source as string, "utf8")).slice(c?.start, c?.end)).toBe(c?.quote);
      expect(answer.hits.map((h) => h.chunk.id)).toContain(c?.chunkId);
      expect(answer.grounded).toBe(true);
      expect(answer.usage?.completionTokens).toBeLessThanOrEqual(8);
    } finally {
      await rag.close();
      await citing.close();
    }
    const wrong = await tinyGenerator({ favour: "▁[2]" });
    const rag2 = await Rag.open({ dir: path.join(await tempDir(), "idx"), generator: wrong, config: { generate: { maxTokens: 4 } } });
    try {
      await rag2.ingest([docs]);
      const answer = await rag2.ask("How often is the signing key rotated?");
      expect(answer.citations).toEqual([]);
      expect(answer.droppedMarkers).toEqual([2]);
      expect(answer.grounded).toBe(false);
    } finally {
      await rag2.close();
      await wrong.close();
    }
  });
});

describe("OpenAI-compatible provider against a local server", () => {
  it("streams and completes without streaming, from a real model behind real HTTP", async () => {
    const model = await tinyGenerator();
    const server = await startOpenAIServer(model);
    const generator = new OpenAIGenerator({ model: "tiny", baseUrl: server.baseUrl, timeoutMs: 20_000 });
    try {
      let usage: { completionTokens?: number } | undefined;
      const streamed = await collect(generator, QUESTION, { maxTokens: 10, onUsage: (u: typeof usage) => (usage = u) });
      expect(streamed.length).toBeGreaterThan(1);
      expect(usage?.completionTokens).toBeLessThanOrEqual(10);
      const whole = await collect(generator, QUESTION, { maxTokens: 10, stream: false });
      expect(whole).toHaveLength(1);
      expect(server.requests.map((r) => r.stream)).toEqual([true, false]);
      expect(server.requests[0]?.messages).toEqual(QUESTION);
    } finally {
      await server.close();
      await model.close();
    }
  });

  it("chat rewrites a follow-up into a standalone question, then answers with the history", async () => {
    const model = await tinyGenerator();
    const server = await startOpenAIServer(model);
    const generator = new OpenAIGenerator({ model: "tiny", baseUrl: server.baseUrl, timeoutMs: 20_000 });
    const rag = await Rag.open({ dir: path.join(await tempDir(), "idx"), generator, config: { generate: { maxTokens: 6 } } });
    try {
      await rag.ingest([
        { id: "k", source: "mem://k", text: "The signing key is rotated every ninety days. Old keys are revoked a day later." },
      ]);
      const history: ChatMessage[] = [
        { role: "user", content: "How often is the signing key rotated?" },
        { role: "assistant", content: "Every ninety days [1]." },
      ];
      const answer = await rag.chat([...history, { role: "user", content: "and the old ones?" }]);
      expect(answer.model).toBe("tiny");
      expect(server.requests).toHaveLength(2);
      const [rewrite, final] = server.requests;
      expect(rewrite?.messages[0]?.content).toMatch(/Rewrite the user's last question/);
      expect(rewrite?.messages[1]?.content).toContain("How often is the signing key rotated?");
      expect(final?.messages.slice(1, 3)).toEqual(history);
      expect(final?.messages[3]?.content).toContain("Question: and the old ones?");
    } finally {
      await rag.close();
      await server.close();
      await model.close();
    }
  });

  it("maps provider failures to codes and never hangs", async () => {
    const model = await tinyGenerator();
    try {
      const closed = await startOpenAIServer(model);
      await closed.close();
      const refused = new OpenAIGenerator({ model: "m", baseUrl: closed.baseUrl, maxRetries: 0, timeoutMs: 5000 });
      expect(await codeOf(collect(refused, QUESTION))).toBe("PROVIDER_UNAVAILABLE");

      for (const [fault, code] of [
        ["unauthorized", "PROVIDER_AUTH"],
        ["malformed-sse", "PROVIDER_BAD_RESPONSE"],
        ["hang", "PROVIDER_TIMEOUT"],
      ] as const) {
        const server = await startOpenAIServer(model, fault);
        const generator = new OpenAIGenerator({ model: "m", baseUrl: server.baseUrl, maxRetries: 0, timeoutMs: 1500 });
        expect([fault, await codeOf(collect(generator, QUESTION, { maxTokens: 4 }))]).toEqual([fault, code]);
        await server.close();
      }

      const flaky = await startOpenAIServer(model, "rate-limit-once");
      const retrying = new OpenAIGenerator({ model: "m", baseUrl: flaky.baseUrl, maxRetries: 2, timeoutMs: 20_000 });
      expect((await collect(retrying, QUESTION, { maxTokens: 4 })).length).toBeGreaterThan(0);
      expect(flaky.requests).toHaveLength(2);
      await flaky.close();
    } finally {
      await model.close();
    }
  });

  it("loads a model file through the config and reports a missing one clearly", async () => {
    expect(await codeOf(LlamaCppGenerator.load({ model: "/nonexistent/model.gguf" }))).toBe("MODEL_NOT_FOUND");
    expect(await codeOf(LlamaCppGenerator.load({ model: "hf:someone/repo/model.gguf", modelsDir: await tempDir() }))).toBe(
      "MODEL_NOT_FOUND",
    );
    const file = await tinyModelFile();
    const rag = await Rag.open({ dir: path.join(await tempDir(), "idx"), config: { generate: { model: file, maxTokens: 4 } } });
    try {
      await rag.ingest([{ id: "a", source: "mem://a", text: "The signing key is rotated every ninety days." }]);
      const answer = await rag.ask("How often is the key rotated?");
      expect(answer.model).toBe("tiny.gguf");
    } finally {
      await rag.close();
    }
  });
});

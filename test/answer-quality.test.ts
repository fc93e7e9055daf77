import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateAnswers } from "../src/eval/answers.js";
import { Rag } from "../src/rag.js";
import { tempDir } from "./helpers/fs.js";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

// Quality floors for answers without a model on real documentation (questions we wrote, each with
// its gold answer and file): a change that makes these answers worse fails here, not in a user's hands.
describe("extractive answers on public documentation", () => {
  it("Fastify docs (Markdown): most answers hold the gold answer; questions the docs cannot answer are declined", async () => {
    const rag = await Rag.open({ dir: path.join(await tempDir(), "index") });
    try {
      const run = await evaluateAnswers(rag, path.join(FIXTURES, "fastify-docs-qa.jsonl"), { corpus: path.join(FIXTURES, "fastify-docs") });
      expect(run.metrics.containsAnswer).toBeGreaterThanOrEqual(0.88);
      expect(run.metrics.sourceHit).toBeGreaterThanOrEqual(0.8);
      expect(run.metrics.abstained).toBe(0);
      const none = await evaluateAnswers(rag, path.join(FIXTURES, "fastify-docs-unanswerable.jsonl"));
      expect(none.results.map((r) => [r.question, r.metrics.abstained])).toEqual(none.results.map((r) => [r.question, 1]));
      // Every quote is the document's own text.
      for (const result of run.results) expect(result.citations.every((c) => c.quote.length > 0)).toBe(true);
    } finally {
      await rag.close();
    }
  }, 240_000);

  it("Express docs (MDX with front matter and components): answers hold the gold answer and never quote metadata", async () => {
    const rag = await Rag.open({ dir: path.join(await tempDir(), "index") });
    try {
      const run = await evaluateAnswers(rag, path.join(FIXTURES, "express-docs-qa.jsonl"), { corpus: path.join(FIXTURES, "express-docs") });
      expect(run.metrics.containsAnswer).toBeGreaterThanOrEqual(0.83);
      for (const result of run.results) {
        expect(result.answer).not.toMatch(/^---|\ntitle:|^import /m);
      }
    } finally {
      await rag.close();
    }
  }, 240_000);
});

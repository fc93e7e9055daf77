import { describe, expect, it } from "vitest";
import { HashEmbedder } from "../scripts/scale/hash-embedder.js";
import { queryMetrics } from "../src/eval/metrics.js";
import { random } from "../src/eval/random.js";
import { Rag } from "../src/rag.js";
import { normalize, QueryAdapter } from "../src/tune/adapter.js";
import { checkChatLine } from "../src/tune/export.js";
import { type AdapterExample, DEFAULT_TRAINING, rankingScore, trainAdapter } from "../src/tune/train-adapter.js";
import type { TrainingPair } from "../src/types.js";
import { tempDir } from "./helpers/fs.js";
import { serverFor } from "./helpers/server.js";

function unitRandom(d: number, next: () => number): Float32Array {
  return normalize(Float32Array.from({ length: d }, () => next() * 2 - 1));
}

/**
 * A corpus where a query's words never appear in its answer: documents say "kelpN", questions
 * say "vornN" for the same thing. BM25 finds nothing and the hashing embedder's directions for the
 * two words are unrelated, so only a learned query map can connect them.
 */
const TOPICS = 40;
function synonymCorpus() {
  const next = random(3);
  const documents = Array.from({ length: 160 }, (_, i) => {
    const topics = new Set<number>();
    while (topics.size < 3) topics.add(Math.floor(next() * TOPICS));
    return {
      id: `d${i}`,
      topics: [...topics],
      text: `Report ${i}: ${[...topics].map((t) => `kelp${t}`).join(" ")} measured in the field.`,
    };
  });
  const pairs: TrainingPair[] = documents.map((d) => ({
    id: `q${d.id}`,
    query: d.topics.map((t) => `vorn${t}`).join(" "),
    gold: new Map([[d.id, 1]]),
    source: "qa",
  }));
  return { documents, train: pairs.slice(0, 110), heldOut: pairs.slice(110) };
}

async function meanNdcg(rag: Rag, pairs: TrainingPair[], tune: boolean): Promise<number> {
  let sum = 0;
  for (const p of pairs) {
    const hits = await rag.search(p.query, { k: 10, collapse: true, tune });
    sum += queryMetrics(
      hits.map((h) => h.chunk.documentId),
      p.gold,
    )["ndcg@10"];
  }
  return sum / pairs.length;
}

describe("tune", () => {
  it("the adapter learns a linear distortion between queries and passages, and generalises to unseen pairs", () => {
    const next = random(11);
    const d = 24;
    const mix = Float32Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 0.3 : 0) + (next() * 2 - 1) * 0.4);
    const passages = Array.from({ length: 260 }, () => unitRandom(d, next));
    const examples: AdapterExample[] = passages.map((p, i) => ({
      query: new QueryAdapter(d, mix).apply(p),
      positive: p,
      positiveDocument: `p${i}`,
      gold: new Set([`p${i}`]),
      negatives: [passages[(i + 1) % passages.length] as Float32Array, passages[(i + 7) % passages.length] as Float32Array],
    }));
    const [train, held] = [examples.slice(0, 180), examples.slice(180)];
    const identity = rankingScore(held, QueryAdapter.identity(d));
    const trained = trainAdapter(train, (a) => rankingScore(train.slice(0, 30), a), {
      ...DEFAULT_TRAINING,
      learningRate: 3e-3,
      epochs: 60,
    });
    expect(trained.bestEpoch).toBeGreaterThan(0);
    expect(trained.history[0]?.loss).toBeGreaterThan(trained.history.at(-1)?.loss ?? Number.POSITIVE_INFINITY);
    const after = rankingScore(held, trained.adapter);
    expect(identity).toBeLessThan(0.6);
    expect(after).toBeGreaterThan(identity + 0.25);
    // Stored and read back, the adapter maps vectors the same way.
    const back = QueryAdapter.fromJSON(JSON.parse(JSON.stringify(trained.adapter.toJSON())));
    expect(Array.from(back.apply(held[0]?.query as Float32Array))).toEqual(
      Array.from(trained.adapter.apply(held[0]?.query as Float32Array)),
    );
  });

  it("tunes an index from labelled pairs: held-out questions improve, the tuning persists, reset and tune:false go back", async () => {
    const dir = await tempDir();
    const { documents, train, heldOut } = synonymCorpus();
    const rag = await Rag.open({ dir, embedder: new HashEmbedder(128) });
    try {
      await rag.ingest(documents.map((d) => ({ id: d.id, source: `mem://${d.id}`, text: d.text })));
      const untuned = await meanNdcg(rag, heldOut, false);
      const report = await rag.tune({ pairs: train });
      expect(report).toMatchObject({ applied: true, version: 1, adapter: { used: true }, pairs: { total: 110, bySource: { qa: 110 } } });
      expect(report.validation.delta).toBeGreaterThan(0.1);
      expect(report.validation.ci[0]).toBeGreaterThan(0);
      const tuned = await meanNdcg(rag, heldOut, true);
      expect(tuned).toBeGreaterThan(untuned + 0.2);
      expect(await meanNdcg(rag, heldOut, false)).toBeCloseTo(untuned, 10);

      // Another handle (another process) reads the same tuning from the index.
      const other = await Rag.open({ dir, embedder: new HashEmbedder(128) });
      expect(await meanNdcg(other, heldOut, true)).toBeCloseTo(tuned, 10);
      expect(await other.tuneStatus()).toMatchObject({ active: true, version: 1, adapter: true, stale: false });
      expect(await other.resetTune()).toBe(true);
      expect(await meanNdcg(rag, heldOut, true)).toBeCloseTo(untuned, 10);
      await other.close();

      // Pairs whose gold documents are chosen at random teach nothing: the untuned search stays.
      const next = random(5);
      const noise = train.map((p) => ({ ...p, gold: new Map([[`d${Math.floor(next() * documents.length)}`, 1]]) }));
      const kept = await rag.tune({ pairs: noise, adapter: false });
      expect(kept.applied).toBe(false);
      expect(kept.reason).toMatch(/untuned settings stay/);
      expect(await rag.tuneStatus()).toMatchObject({
        active: false,
        history: [
          { version: 1, applied: true },
          { version: 2, applied: false },
        ],
      });
    } finally {
      await rag.close();
    }
  }, 180_000);

  it("refuses to tune on pairs none of whose documents are in the index", async () => {
    const rag = await Rag.open({ dir: await tempDir(), embedder: new HashEmbedder(64) });
    try {
      await rag.ingest([{ id: "a", source: "mem://a", text: "Harbour ferries leave at dawn." }]);
      const pairs: TrainingPair[] = [{ id: "1", query: "when do ferries leave", gold: new Map([["missing", 1]]), source: "qa" }];
      await expect(rag.tune({ pairs })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    } finally {
      await rag.close();
    }
  });

  it("feedback through the API is validated, stored in the index, and becomes training pairs", async () => {
    const { rag, app, close } = await serverFor();
    try {
      const { documents } = synonymCorpus();
      await rag.ingest(documents.slice(0, 20).map((d) => ({ id: d.id, source: `mem://${d.id}`, text: d.text })));
      const bad = await app.inject({ method: "POST", url: "/api/feedback", payload: { query: "x", rating: 2 } });
      expect(bad.statusCode).toBe(400);
      for (const d of documents.slice(0, 12)) {
        const query = d.topics.map((t) => `kelp${t} reading`).join(" ");
        const response = await app.inject({ method: "POST", url: "/api/feedback", payload: { query, rating: 1, documentId: d.id } });
        expect(response.statusCode).toBe(201);
      }
      await app.inject({ method: "POST", url: "/api/feedback", payload: { query: "kelp1 reading", rating: -1, documentId: "d3" } });
      const listed = (await app.inject({ method: "GET", url: "/api/feedback" })).json();
      expect(listed).toMatchObject({ count: 13, up: 12, down: 1 });
      const report = await rag.tune({ feedback: true, adapter: false });
      expect(report.pairs.bySource.feedback).toBe(12);
    } finally {
      await close();
    }
  }, 120_000);

  it("exports generator training data that follows the OpenAI chat format and cites the passage holding the gold answer", async () => {
    const rag = await Rag.open({ dir: await tempDir(), embedder: new HashEmbedder(64) });
    try {
      await rag.ingest([
        { id: "ferry", source: "mem://ferry", text: "The harbour ferry departs at 7:15 every morning. Tickets are sold on board." },
        { id: "bread", source: "mem://bread", text: "Rye bread needs a long, cool proof. Bake it at 230 degrees." },
      ]);
      const items = [
        { _id: "1", question: "When does the harbour ferry depart?", answers: ["7:15 every morning"], gold_ids: ["ferry"] },
        { _id: "2", question: "At what temperature is rye bread baked?", answers: ["230 degrees"], gold_ids: ["bread"] },
        { _id: "3", question: "How is rye bread proofed?", answers: [] },
      ];
      const chat = await rag.exportGeneratorData(items, "openai-chat");
      expect(chat.report).toMatchObject({ written: 3, fromGold: 2, fromExtractive: 1, invalid: 0 });
      expect(chat.report.tokens.total).toBeGreaterThan(50);
      for (const line of chat.lines) expect(checkChatLine(JSON.parse(JSON.stringify(line)))).toEqual([]);
      const first = chat.lines[0] as { messages: Array<{ role: string; content: string }> };
      expect(first.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
      const marker = /\[(\d+)\]$/.exec(first.messages[2]?.content ?? "")?.[1];
      expect(first.messages[2]?.content).toMatch(/^7:15 every morning \[\d+\]$/);
      // The cited passage is the one in the prompt that holds the answer.
      expect(first.messages[1]?.content).toMatch(new RegExp(`<passage id="${marker}" source="mem://ferry"[^>]*>\\n[^<]*7:15`));
      const alpaca = await rag.exportGeneratorData(items.slice(0, 1), "alpaca");
      expect(Object.keys(alpaca.lines[0] ?? {})).toEqual(["instruction", "input", "output"]);
      expect(checkChatLine({ messages: [{ role: "user", content: "hi" }] })).toContain("the last message must be the assistant's");
    } finally {
      await rag.close();
    }
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../scripts/proof/onnx-model.js";
import { BundledEmbedder } from "../src/embed/bundled.js";
import { Rag } from "../src/rag.js";
import { CrossEncoderReranker } from "../src/rerank/cross-encoder.js";
import { HttpReranker } from "../src/rerank/http.js";
import { LlmReranker, parseJudgements } from "../src/rerank/llm.js";
import { rerankHits } from "../src/rerank/rerank.js";
import { hitsOf, testReranker } from "./conformance/reranker.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";
import { tinyGenerator } from "./helpers/models.js";
import { type RerankFault, startRerankServer } from "./helpers/rerank-server.js";
import { serverFor } from "./helpers/server.js";

const PASSAGES = {
  query: "which passage is relevant",
  texts: [
    "the ferry leaves the harbour at dawn",
    "a relevant passage about the harbour",
    "the recipe needs flour",
    "relevant relevant notes",
  ],
};
const WORDS = "which passage is relevant ferry leaves harbour at dawn about recipe needs flour notes the a".split(" ");

// A real model behind the /rerank server: the bundled encoder's cosine similarity.
const model = new BundledEmbedder({ workers: 1 });
const cosineScores = async (query: string, documents: string[]) => {
  const [q, ...docs] = await model.embed([query, ...documents], "document");
  return docs.map((d) => (d as Float32Array).reduce((s, x, i) => s + x * ((q as Float32Array)[i] as number), 0));
};
let server: Awaited<ReturnType<typeof startRerankServer>>;
let folder: Promise<string> | undefined;
const crossEncoderFolder = () => {
  folder ??= mkdtemp(path.join(tmpdir(), "ragkit-ce-")).then((dir) =>
    writeTinyModel(path.join(dir, "tiny-ce"), { words: WORDS, relevantWord: "relevant" }),
  );
  return folder;
};

beforeAll(async () => {
  server = await startRerankServer(cosineScores);
});
afterAll(async () => {
  await server.close();
  await model.close();
  if (folder) await rm(path.dirname(await folder), { recursive: true, force: true });
});

testReranker(
  "cross-encoder (a tiny ONNX classifier the test writes)",
  async () => CrossEncoderReranker.create({ model: await crossEncoderFolder(), batchSize: 3 }),
  PASSAGES,
);
testReranker(
  "http (a local /rerank server)",
  async () => new HttpReranker({ model: "cosine", baseUrl: server.baseUrl, batchSize: 3 }),
  PASSAGES,
);

testReranker(
  "llm (the tiny random-weight GGUF the tests write, as the generator)",
  async () => {
    const generator = await tinyGenerator();
    // The reranker borrows the index's generator and leaves closing it to the owner: here, the test.
    return Object.assign(new LlmReranker(generator, { batchSize: 3 }), { close: () => generator.close() });
  },
  PASSAGES,
  // Random weights write no readable judgement: this runs the unscored-with-a-warning path for real.
  { listwise: true },
);

describe("rerank failures keep the first stage", () => {
  const withFault = async (fault: RerankFault, strict: boolean) => {
    const faulty = await startRerankServer(cosineScores, fault);
    try {
      const reranker = new HttpReranker({ model: "cosine", baseUrl: faulty.baseUrl, maxRetries: 0 });
      return await rerankHits(reranker, PASSAGES.query, hitsOf(PASSAGES.texts), { k: 3, strict }).catch((e: unknown) => e);
    } finally {
      await faulty.close();
    }
  };

  it("unknown indices, a refused key or a dead server: first-stage order and a warning, or the error under strict", async () => {
    for (const fault of ["unknown-index", "unauthorized"] as const) {
      const kept = (await withFault(fault, false)) as { hits: Array<{ chunk: { id: string } }>; warnings: string[] };
      expect(kept.hits.map((h) => h.chunk.id)).toEqual(["d0#0", "d1#0", "d2#0"]);
      expect(kept.warnings[0]).toMatch(/first-stage order kept/);
    }
    expect(((await withFault("unknown-index", true)) as { code: string }).code).toBe("PROVIDER_BAD_RESPONSE");
    expect(((await withFault("unauthorized", true)) as { code: string }).code).toBe("PROVIDER_AUTH");
    const tei = (await withFault("tei-shape", true)) as { hits: Array<{ scores: { rerank?: number } }> };
    expect(tei.hits[0]?.scores.rerank).toBeDefined();
    const dead = new HttpReranker({ model: "x", baseUrl: "http://127.0.0.1:9/v2", maxRetries: 0 });
    const down = await rerankHits(dead, "q", hitsOf(["a", "b"]), { k: 2 });
    expect(down.warnings[0]).toMatch(/PROVIDER_UNAVAILABLE|Could not reach/);
  });

  it("llm: a model whose output cannot be read leaves the first-stage order, with a warning", async () => {
    const generator = await tinyGenerator();
    try {
      const result = await rerankHits(new LlmReranker(generator), PASSAGES.query, hitsOf(PASSAGES.texts), { k: 4 });
      expect(result.hits.map((h) => h.chunk.id)).toEqual(["d0#0", "d1#0", "d2#0", "d3#0"]);
      expect(result.warnings.join(" ")).toMatch(/no readable score|could not score/);
    } finally {
      await generator.close();
    }
  });

  it("llm judgements: any text parses without throwing, scores only what it names", () => {
    expect(parseJudgements("1: 7\n[2] 3/10\nPassage 3 - 10\n4: eleven\n9: 5", 4)).toEqual([7, 3, 10, undefined]);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 12 }), (text, n) => {
        const scores = parseJudgements(text, n);
        expect(scores).toHaveLength(n);
        for (const s of scores) if (s !== undefined) expect(s >= 0 && s <= 10).toBe(true);
      }),
    );
  });
});

describe("reranking in search", () => {
  it("the configured cross-encoder reorders hybrid hits (scores.rerank), rerank: false skips it, the CLI takes --rerank", async () => {
    const dir = path.join(await tempDir(), "idx");
    const modelFolder = await crossEncoderFolder();
    const rag = await Rag.open({ dir, config: { rerank: { provider: "cross-encoder", model: modelFolder, candidates: 10 } } });
    try {
      await rag.ingest(PASSAGES.texts.map((text, i) => ({ id: `p${i}`, source: `mem://p${i}`, text })));
      const plain = await rag.search("harbour passage", { k: 3, rerank: false });
      expect(plain.every((h) => h.scores.rerank === undefined)).toBe(true);
      expect(plain[0]?.chunk.documentId).not.toBe("p3");
      const reranked = await rag.search("harbour passage", { k: 3 });
      expect(reranked.map((h) => h.chunk.documentId).slice(0, 2)).toEqual(["p3", "p1"]);
      for (let i = 1; i < reranked.length; i++)
        expect((reranked[i - 1]?.scores.rerank as number) >= (reranked[i]?.scores.rerank as number)).toBe(true);
    } finally {
      await rag.close();
    }
    const cli = await runCli(["search", "harbour passage", "--index", dir, "--rerank", `cross-encoder:${modelFolder}`, "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    const hits = JSON.parse(cli.stdout).hits as Array<{ documentId: string; scores: { rerank: number } }>;
    expect(hits.map((h) => h.documentId).slice(0, 2), JSON.stringify(hits.map((h) => h.scores))).toEqual(["p3", "p1"]);
    expect(hits[0]?.scores.rerank).toEqual(expect.any(Number));
  });
});

describe("reranking over HTTP", () => {
  it("/api/stats names the reranker; /api/search reranks by default and not with rerank: false; without one, rerank: true is a 400", async () => {
    const { app, rag, close } = await serverFor({ rerank: { provider: "cross-encoder", model: await crossEncoderFolder() } });
    try {
      await rag.ingest(PASSAGES.texts.map((text, i) => ({ id: `p${i}`, source: `mem://p${i}`, text })));
      expect((await app.inject({ url: "/api/stats" })).json().reranker).toMatch(/^cross-encoder:/);
      const reranked = (await app.inject({ method: "POST", url: "/api/search", payload: { query: "harbour passage", k: 2 } })).json();
      expect(reranked.hits[0].scores.rerank).toEqual(expect.any(Number));
      const plain = (
        await app.inject({ method: "POST", url: "/api/search", payload: { query: "harbour passage", k: 2, rerank: false } })
      ).json();
      expect(plain.hits[0].scores.rerank).toBeUndefined();
    } finally {
      await close();
    }
    const none = await serverFor();
    try {
      const refused = await none.app.inject({ method: "POST", url: "/api/search", payload: { query: "x", rerank: true } });
      expect(refused.statusCode).toBe(400);
      expect((await none.app.inject({ url: "/api/stats" })).json().reranker).toBeNull();
    } finally {
      await none.close();
    }
  });
});

import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../scripts/proof/onnx-model.js";
import { BundledEmbedder } from "../src/embed/bundled.js";
import { GgufEmbedder } from "../src/embed/gguf.js";
import { OpenAIEmbedder } from "../src/embed/openai.js";
import { TransformersEmbedder } from "../src/embed/transformers.js";
import { Rag } from "../src/rag.js";
import { testEmbedder } from "./conformance/embedder.js";
import { runCli } from "./helpers/cli.js";
import { type EmbeddingFault, startEmbeddingsServer } from "./helpers/embeddings-server.js";
import { failure } from "./helpers/errors.js";
import { tempDir } from "./helpers/fs.js";
import { startHub } from "./helpers/hub-server.js";
import { tinyModelFile } from "./helpers/models.js";

// The real model behind the OpenAI-compatible servers below: the bundled encoder.
const model = new BundledEmbedder({ workers: 1 });
let server: Awaited<ReturnType<typeof startEmbeddingsServer>>;

beforeAll(async () => {
  server = await startEmbeddingsServer((texts) => model.embed(texts, "document"));
});
afterAll(async () => {
  await server.close();
  await model.close();
  if (tinyModel) await rm(path.dirname(await tinyModel), { recursive: true, force: true });
});

// Every word of the conformance texts, so the tiny model's tokenizer keeps them whole.
const WORDS =
  "note ferries leave the harbour at o'clock when does ferry timetable for departs every morning recipe needs two cups of flour".split(" ");
let tinyModel: Promise<string> | undefined;
const tinyModelFolder = () => {
  // Kept for the whole file (tempDir() folders go after each test).
  tinyModel ??= mkdtemp(path.join(tmpdir(), "ragkit-model-")).then((dir) => writeTinyModel(path.join(dir, "tiny-bert"), { words: WORDS }));
  return tinyModel;
};

testEmbedder("bundled", async () => new BundledEmbedder({ workers: 1 }));
testEmbedder("transformers (a tiny ONNX model folder the test writes)", async () =>
  TransformersEmbedder.create({ model: await tinyModelFolder(), batchSize: 4 }),
);
testEmbedder("gguf (the tiny random-weight GGUF the tests write)", async () => GgufEmbedder.create({ model: await tinyModelFile() }), {
  // Random weights carry no meaning: a real embedding GGUF (nomic-embed-text) is needed for that.
  skipMeaning: true,
});
testEmbedder("openai (a local /v1/embeddings server)", () =>
  OpenAIEmbedder.create({ model: "use", baseUrl: server.baseUrl, batchSize: 8 }),
);

describe("openai embedder: what comes back is checked", () => {
  const withFault = async (fault: EmbeddingFault) => {
    const faulty = await startEmbeddingsServer((texts) => model.embed(texts, "document"), fault);
    try {
      const embedder = await OpenAIEmbedder.create({ model: "use", baseUrl: faulty.baseUrl, dimensions: 512, maxRetries: 2 });
      return {
        result: await embedder.embed(["one", "two", "three"], "document").catch((e: unknown) => e),
        requests: faulty.requests.length,
      };
    } finally {
      await faulty.close();
    }
  };

  it("wrong counts, wrong sizes, unknown indices and infinite values are PROVIDER_BAD_RESPONSE; 401 is PROVIDER_AUTH", async () => {
    for (const fault of ["missing-vector", "nan", "wrong-dimensions", "unknown-index"] as const) {
      const { result } = await withFault(fault);
      expect((result as { code?: string }).code, fault).toBe("PROVIDER_BAD_RESPONSE");
    }
    expect(((await withFault("unauthorized")).result as { code?: string }).code).toBe("PROVIDER_AUTH");
  });

  it("a 429 is retried (Retry-After honoured) and then succeeds; an unreachable server is PROVIDER_UNAVAILABLE", async () => {
    const { result, requests } = await withFault("rate-limit-once");
    expect(result).toHaveLength(3);
    expect(requests).toBe(2);
    const down = await failure(OpenAIEmbedder.create({ model: "use", baseUrl: "http://127.0.0.1:9/v1", maxRetries: 0 }));
    expect(down.code).toBe("PROVIDER_UNAVAILABLE");
    expect(down.message).toContain("--embedder-base-url");
  });

  it("splits a batch that would pass the token budget into several requests, keeping the order", async () => {
    const embedder = await OpenAIEmbedder.create({ model: "use", baseUrl: server.baseUrl, dimensions: 512, maxBatchTokens: 50 });
    const before = server.requests.length;
    const texts = Array.from({ length: 6 }, (_, i) => `${"ferry harbour dawn ".repeat(5)} number ${i}`);
    const vectors = await embedder.embed(texts, "document");
    expect(server.requests.length - before).toBeGreaterThanOrEqual(3);
    const [alone] = await embedder.embed([texts[4] as string], "document");
    expect(Array.from(vectors[4] as Float32Array)).toEqual(Array.from(alone as Float32Array));
  });
});

describe("choosing the embedder from the CLI", () => {
  it("an index built with --embedder remembers it: search needs no flag, another embedder is refused, re-ingest embeds nothing", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    const docs = path.join(root, "docs");
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(docs);
    await writeFile(path.join(docs, "a.md"), "# Ferries\n\nThe harbour ferry departs every morning at dawn.\n");
    await writeFile(path.join(docs, "b.md"), "# Baking\n\nThe recipe needs two cups of flour and an egg.\n");
    const flags = ["--index", index, "--embedder", "openai:use", "--embedder-base-url", server.baseUrl];
    const ingest = await runCli(["ingest", docs, ...flags, "--json"]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ added: 2, chunksEmbedded: 2 });

    const before = server.requests.length;
    const search = await runCli([
      "search",
      "when does the boat leave port",
      "--mode",
      "dense",
      "--k",
      "1",
      "--index",
      index,
      "--embedder-base-url",
      server.baseUrl,
      "--json",
    ]);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).hits[0].source).toBe(path.join(docs, "a.md"));
    expect(server.requests.length).toBeGreaterThan(before);

    const again = await runCli(["ingest", docs, ...flags, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ unchanged: 2, chunksEmbedded: 0 });

    const other = await runCli(["search", "ferry", "--index", index, "--embedder", "bundled:other", "--json"]);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).error.code).toBe("INDEX_EMBEDDER_MISMATCH");
  });
});

describe("transformers embedder from the CLI", () => {
  it("a local model folder indexes and finds by meaning; a broken folder and an offline hub id are MODEL_NOT_FOUND", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    const docs = path.join(root, "docs");
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(docs);
    await writeFile(path.join(docs, "a.md"), "# Ferries\n\nThe harbour ferry departs every morning.\n");
    await writeFile(path.join(docs, "b.md"), "# Baking\n\nThe recipe needs two cups of flour.\n");
    const folder = await tinyModelFolder();
    const ingest = await runCli(["ingest", docs, "--index", index, "--embedder", `transformers:${folder}`, "--json"]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ added: 2 });
    const search = await runCli(["search", "ferry timetable for the harbour", "--mode", "dense", "--k", "1", "--index", index, "--json"]);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).hits[0].source).toBe(path.join(docs, "a.md"));
    const stats = JSON.parse((await runCli(["stats", "--index", index, "--json"])).stdout);
    expect(stats.embedder).toEqual({ id: "transformers:tiny-bert", dimensions: 384 });

    const broken = path.join(root, "broken-model");
    await mkdir(broken);
    const bad = await runCli(["ingest", docs, "--index", path.join(root, "idx2"), "--embedder", `transformers:${broken}`, "--json"]);
    expect(JSON.parse(bad.stdout).error.code).toBe("MODEL_NOT_FOUND");
    expect(JSON.parse(bad.stdout).error.message).toContain("onnx/model.onnx");
    const offline = await runCli(
      ["ingest", docs, "--index", path.join(root, "idx3"), "--embedder", "transformers:Xenova/all-MiniLM-L6-v2", "--json"],
      {
        env: { RAGKIT_MODELS_DIR: path.join(root, "models") },
      },
    );
    expect(JSON.parse(offline.stdout).error.code).toBe("MODEL_NOT_FOUND");
    expect(JSON.parse(offline.stdout).error.message).toMatch(/internet access, or pass a local model folder/);
  });
});

describe("hub models", () => {
  it("a hub id downloads once (from HF_ENDPOINT, with progress), then indexes offline; a missing id is MODEL_NOT_FOUND", async () => {
    const root = await tempDir();
    const docs = path.join(root, "docs");
    const { mkdir, writeFile, readdir } = await import("node:fs/promises");
    await mkdir(docs);
    await writeFile(path.join(docs, "a.md"), "# Ferries\n\nThe harbour ferry departs every morning.\n");
    await writeFile(path.join(docs, "b.md"), "# Baking\n\nThe recipe needs two cups of flour.\n");
    const hub = await startHub({ "test-org/tiny-bert": await tinyModelFolder() });
    const models = path.join(root, "models");
    const env = { HF_ENDPOINT: hub.url, RAGKIT_MODELS_DIR: models };
    try {
      const pulled = await runCli(["models", "pull", "transformers:test-org/tiny-bert", "--json"], { env });
      expect(pulled.code, pulled.stderr).toBe(0);
      const folder = path.join(models, "transformers", "test-org", "tiny-bert");
      expect(JSON.parse(pulled.stdout).path).toBe(folder);
      expect((await readdir(path.join(folder, "onnx"))).sort()).toEqual(["model.onnx"]);
      // Progress, as JSON lines off a terminal: the ONNX file reported complete.
      const events = pulled.stderr
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
      expect(events).toContainEqual(expect.objectContaining({ event: "download", file: "onnx/model.onnx", filesTotal: 5 }));
      const missing = await runCli(["models", "pull", "transformers:test-org/nope", "--json"], { env });
      expect(JSON.parse(missing.stdout).error).toMatchObject({ code: "MODEL_NOT_FOUND", message: expect.stringContaining("404") });
    } finally {
      await hub.close();
    }
    // The hub is gone: everything now comes from the models directory.
    const index = path.join(root, "idx");
    const ingest = await runCli(["ingest", docs, "--index", index, "--embedder", "transformers:test-org/tiny-bert", "--json"], { env });
    expect(ingest.code, ingest.stderr).toBe(0);
    const search = await runCli(["search", "ferry timetable for the harbour", "--mode", "dense", "--k", "1", "--index", index, "--json"], {
      env,
    });
    expect(JSON.parse(search.stdout).hits[0].source).toBe(path.join(docs, "a.md"));
    expect(JSON.parse((await runCli(["stats", "--index", index, "--json"], { env })).stdout).embedder.id).toBe(
      "transformers:test-org/tiny-bert",
    );
  });

  it("first use of a hub id downloads it during ingest, once", async () => {
    const root = await tempDir();
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(path.join(root, "docs"));
    await writeFile(path.join(root, "docs", "a.md"), "# Ferries\n\nThe harbour ferry departs every morning.\n");
    const hub = await startHub({ "test-org/tiny-bert": await tinyModelFolder() });
    const env = { HF_ENDPOINT: hub.url, RAGKIT_MODELS_DIR: path.join(root, "models") };
    try {
      const args = [
        "ingest",
        path.join(root, "docs"),
        "--index",
        path.join(root, "idx"),
        "--embedder",
        "transformers:test-org/tiny-bert",
        "--json",
      ];
      const first = await runCli(args, { env });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain('"event":"download"');
      const fetched = hub.requests.length;
      expect(fetched).toBeGreaterThanOrEqual(4);
      const again = await runCli(["search", "ferry", "--index", path.join(root, "idx"), "--json"], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(hub.requests.length).toBe(fetched);
    } finally {
      await hub.close();
    }
  });
});

describe("chunks fit the embedder", () => {
  it("with a model that reads 32 word pieces, chunks are cut in its tokens instead of being truncated", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ragkit-short-model-"));
    try {
      const folder = await writeTinyModel(path.join(dir, "short-bert"), { words: WORDS, maxLength: 32 });
      const embedder = await TransformersEmbedder.create({ model: folder });
      const text = Array.from({ length: 30 }, (_, i) => `Note ${i}: the harbour ferry departs every morning at ${i} o'clock.`).join(" ");
      const rag = await Rag.open({ dir: path.join(dir, "idx"), embedder });
      try {
        await rag.ingest([{ id: "long", source: "mem://long", text }]);
        const chunks = await rag.getChunks("long");
        expect(chunks.length).toBeGreaterThan(5);
        for (const c of chunks) expect(embedder.tokenizer.count(c.text)).toBeLessThanOrEqual(32);
        // Every word of the document is in some chunk: nothing was cut off.
        expect(chunks.at(-1)?.end).toBe(text.length);
      } finally {
        await rag.close();
        await embedder.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("transformers models run in child processes", () => {
  const children = () =>
    execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([pid, command]) => pid && command !== "ps")
      .map(([pid]) => Number(pid));

  it("embedding leaves the main thread free; a killed worker's batch is retried once; close() leaves no process", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ragkit-busy-model-"));
    const before = new Set(children());
    try {
      // Twelve layers: enough work per token that a blocked main thread would show.
      const folder = await writeTinyModel(path.join(dir, "deep-bert"), { words: WORDS, layers: 12, maxLength: 256 });
      const embedder = await TransformersEmbedder.create({ model: folder, workers: 2 });
      const texts = Array.from({ length: 256 }, (_, i) => `the harbour ferry ${i} departs every morning at o'clock `.repeat(8));
      const elu = performance.eventLoopUtilization();
      await Promise.all(
        [0, 1].map((lane) =>
          embedder.embed(
            texts.filter((_, i) => i % 2 === lane),
            "document",
          ),
        ),
      );
      // Inside one thread this was 100%: tokenising and ONNX Runtime's run both held it.
      expect(performance.eventLoopUtilization(elu).utilization).toBeLessThan(0.5);

      const workers = () => children().filter((pid) => !before.has(pid));
      expect(workers()).toHaveLength(2);
      // A worker that dies mid-batch is replaced and the batch retried: the caller sees nothing.
      const sample = texts.slice(0, 8);
      const expected = await embedder.embed(sample, "document");
      const retried = embedder.embed(sample, "document");
      for (const pid of workers()) process.kill(pid, "SIGKILL");
      expect(await retried).toEqual(expected);
      const [again] = await embedder.embed(["the harbour ferry"], "query");
      expect(again).toHaveLength(embedder.dimensions);

      await embedder.close();
      expect(children().filter((pid) => !before.has(pid))).toEqual([]);

      // A worker that dies on every batch (the fault point kills it) fails after one retry, not forever.
      process.env.RAGKIT_FAULT = "worker:batch";
      try {
        const broken = await failure(TransformersEmbedder.create({ model: folder, workers: 1 }));
        expect(broken).toMatchObject({ code: "EMBEDDING_FAILED", message: expect.stringMatching(/worker stopped/) });
      } finally {
        delete process.env.RAGKIT_FAULT;
      }
      expect(children().filter((pid) => !before.has(pid))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

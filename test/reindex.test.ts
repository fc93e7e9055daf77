import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../scripts/proof/onnx-model.js";
import { Rag } from "../src/rag.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

const TOPICS = ["ferry harbour dawn", "flour recipe oven", "granite quarry lantern", "orchard compass north", "glacier meadow saddle"];
const WORDS = [...TOPICS.flatMap((t) => t.split(" ")), "note", "about", "the", "number", "and", "is", "a"];
let folder: Promise<string> | undefined;
const modelFolder = () => {
  folder ??= mkdtemp(path.join(tmpdir(), "ragkit-reindex-model-")).then((dir) =>
    writeTinyModel(path.join(dir, "tiny-bert"), { words: WORDS }),
  );
  return folder;
};
afterAll(async () => {
  if (folder) await rm(path.dirname(await folder), { recursive: true, force: true });
});

async function corpus(root: string): Promise<string> {
  const docs = path.join(root, "docs");
  await mkdir(docs, { recursive: true });
  for (let i = 0; i < 40; i++) {
    const topic = TOPICS[i % TOPICS.length] as string;
    await writeFile(path.join(docs, `n${i}.md`), `# Note ${i}\n\nThe note is about ${topic} and number ${i}.\n`);
  }
  return docs;
}

const embedderOf = async (index: string) => JSON.parse((await runCli(["stats", "--index", index, "--json"])).stdout).embedder.id as string;

describe("ragkit reindex", () => {
  it("re-embeds with another model and swaps atomically; a running reader follows; nothing is read from files again", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    const docs = await corpus(root);
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);
    const reader = await Rag.open({ dir: index });
    try {
      expect(reader.embedder.id).toMatch(/^bundled:/);
      await rm(docs, { recursive: true });
      const model = await modelFolder();
      const run = await runCli(["reindex", "--index", index, "--embedder", `transformers:${model}`, "--json"]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ to: "transformers:tiny-bert", documents: 40, aborted: false });
      expect(await embedderOf(index)).toBe("transformers:tiny-bert");
      // The reader that was open all along now searches with the new model.
      const hits = await reader.search("granite quarry lantern", { k: 3, mode: "dense" });
      expect(reader.embedder.id).toBe("transformers:tiny-bert");
      expect(hits.every((h) => h.chunk.text.includes("granite quarry lantern"))).toBe(true);
      expect((await reader.doctor()).ok).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it("killed at any point, the index answers with one embedder or the other, never a mix; the next run resumes", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    const docs = await corpus(root);
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);
    const model = await modelFolder();
    const reindex = (target: string, env: Record<string, string> = {}) =>
      runCli(["reindex", "--index", index, "--embedder", target, "--json"], { env });
    const answers = async () => {
      const search = await runCli(["search", "orchard compass", "--index", index, "--json"]);
      expect(search.code, search.stderr).toBe(0);
      expect(JSON.parse(search.stdout).hits[0].text).toContain("orchard compass");
    };
    // Killed while staging: the old embedder still answers.
    expect((await reindex(`transformers:${model}`, { RAGKIT_FAULT: "reindex:staged" })).code).toBeNull();
    expect(await embedderOf(index)).toMatch(/^bundled:/);
    await answers();
    // Resumed, and killed inside the commit: the next process to open the index finishes the swap.
    expect((await reindex(`transformers:${model}`, { RAGKIT_FAULT: "reindex:committing" })).code).toBeNull();
    expect(await embedderOf(index)).toBe("transformers:tiny-bert");
    await answers();
    // And back, uninterrupted, resuming nothing.
    const back = await reindex("bundled");
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ to: expect.stringMatching(/^bundled:/), resumed: 0, documents: 40 });
    await answers();
    const forward = await reindex(`transformers:${model}`, { RAGKIT_FAULT: "reindex:staged", RAGKIT_FAULT_AFTER: "1" });
    expect(forward.code).toBeNull();
    const resumed = await reindex(`transformers:${model}`);
    expect(JSON.parse(resumed.stdout).resumed).toBeGreaterThan(0);
    expect(await embedderOf(index)).toBe("transformers:tiny-bert");
    const doctor = await runCli(["doctor", "--index", index, "--json"]);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true, documents: 40, chunks: 40 });
    // Ingesting again with no flag uses the index's new embedder and finds everything unchanged
    // (the reindex cut the chunks for the new model's tokenizer already).
    const again = await runCli(["ingest", docs, "--index", index, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ unchanged: 40, chunksEmbedded: 0 });
    expect(await embedderOf(index)).toBe("transformers:tiny-bert");
  });

  it("resuming after the documents changed re-stages the changed ones and drops the deleted ones", async () => {
    const root = await tempDir();
    const index = path.join(root, "idx");
    const docs = await corpus(root);
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);
    const model = await modelFolder();
    const target = `transformers:${model}`;
    // Killed after staging every document...
    const killed = await runCli(["reindex", "--index", index, "--embedder", target], { env: { RAGKIT_FAULT: "reindex:staged" } });
    expect(killed.code).toBeNull();
    // ...then a user edits one note and deletes another with the old embedder still in charge.
    await writeFile(
      path.join(docs, "n3.md"),
      "# Note 3\n\nRewritten: now about glacier meadow saddle, and much longer than it was before the edit.\n",
    );
    await rm(path.join(docs, "n7.md"));
    expect((await runCli(["ingest", docs, "--index", index])).code).toBe(0);
    const resumed = await runCli(["reindex", "--index", index, "--embedder", target, "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ documents: 39, resumed: 38, chunksEmbedded: 1 });
    const doctor = await runCli(["doctor", "--index", index, "--json"]);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true, documents: 39, chunks: 39 });
    const rag = await Rag.open({ dir: index, mustExist: true });
    try {
      const note3 = (await rag.documents()).find((d) => d.source.endsWith("n3.md"));
      const chunks = await rag.getChunks(note3?.id ?? "");
      expect(chunks.map((c) => c.text).join(" ")).toContain("Rewritten");
    } finally {
      await rag.close();
    }
  });
});

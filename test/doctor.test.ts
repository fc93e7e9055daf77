import path from "node:path";
import { describe, expect, it } from "vitest";
import { Rag } from "../src/rag.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

const DOCS = [
  { id: "a", source: "mem://a", text: "Ferries leave the harbour at dawn." },
  { id: "b", source: "mem://b", text: "Lanterns glow over the granite quarry at night." },
  { id: "c", source: "mem://c", text: "The orchard compass points north." },
];

type Row = Record<string, unknown>;

/** Damages the tables directly, as the races and crashes of older versions did. */
async function damage(index: string): Promise<void> {
  const lancedb = await import("@lancedb/lancedb");
  const db = await lancedb.connect(path.join(index, "lance"));
  const chunks = await db.openTable("chunks");
  const documents = await db.openTable("documents");
  const plain = (row: Row): Row =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        v && typeof v === "object" && "toArray" in v ? Array.from((v as { toArray(): ArrayLike<number> }).toArray()) : v,
      ]),
    );
  const aChunks = ((await chunks.query().where("doc_id = 'a'").toArray()) as Row[]).map(plain);
  const aDoc = ((await documents.query().where("id = 'a'").toArray()) as Row[]).map(plain);
  await chunks.add(aChunks);
  await documents.add(aDoc);
  await chunks.add(aChunks.map((r) => ({ ...r, id: "ghost#0", doc_id: "ghost" })));
  await documents.update({ where: "id = 'b'", values: { chunk_count: 5 } });
  db.close();
}

describe("ragkit doctor", () => {
  it("finds duplicates, orphans and count mismatches; --repair fixes them and keeps every document", async () => {
    const index = path.join(await tempDir(), "idx");
    const rag = await Rag.open({ dir: index });
    await rag.ingest(DOCS);
    await rag.close();
    await damage(index);

    const found = await runCli(["doctor", "--index", index, "--json"]);
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout)).toMatchObject({
      ok: false,
      duplicateDocuments: ["a"],
      duplicateChunks: ["a#0"],
      orphanChunks: ["ghost"],
      countMismatches: [{ documentId: "b", expected: 5, stored: 1 }],
    });
    const human = await runCli(["doctor", "--index", index]);
    expect(human.stdout).toMatch(/duplicate document ids: 1 \(a\)[\s\S]*ragkit doctor --repair/);

    const repaired = await runCli(["doctor", "--repair", "--index", index, "--json"]);
    expect(repaired.code, repaired.stdout).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({
      ok: true,
      documents: 3,
      repaired: { dedupe: ["a"], orphanChunksOf: ["ghost"], rechunk: ["b"] },
    });
    const again = await Rag.open({ dir: index });
    try {
      expect((await again.documents()).map((d) => d.id).sort()).toEqual(["a", "b", "c"]);
      expect((await again.search("ferries harbour", { k: 5, mode: "lexical" })).map((h) => h.chunk.id)).toEqual(["a#0"]);
      // b was chunked again from its stored text: the same input is now unchanged.
      const report = await again.ingest(DOCS);
      expect(report).toMatchObject({ updated: 0, unchanged: 3 });
      expect((await again.doctor()).ok).toBe(true);
    } finally {
      await again.close();
    }
  });
});

import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rag } from "../src/rag.js";
import { exited, ROOT, runCli, spawnCli } from "./helpers/cli.js";
import { writeCorpus } from "./helpers/corpus.js";
import { tempDir } from "./helpers/fs.js";
import { type PgServer, startPostgres } from "./helpers/postgres.js";

const SAMPLES = path.join(ROOT, "samples");
let pg: PgServer;
const pgServer = () => pg;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

const store = (schema: string) => ["--store", pg.url, "--store-schema", schema];
const json = async (args: string[]) => {
  const run = await runCli([...args, "--json"]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};
describe("the index in PostgreSQL + pgvector", () => {
  it("ingests, searches, answers and checks itself through --store; migrate is idempotent", async () => {
    const s = store("cli");
    const missing = await runCli(["search", "keys", ...s]);
    expect(missing.stderr).toMatch(/INDEX_NOT_FOUND.*schema cli.*--store/);
    expect(missing.stderr).not.toContain(":postgres@");
    expect(await json(["ingest", SAMPLES, ...s])).toMatchObject({ added: 6, failed: [] });
    const found = await json(["search", "how do I rotate API keys", ...s]);
    expect(found.hits[0].source).toBe(path.join(SAMPLES, "security.md"));
    const answer = await json(["ask", "How do I rotate API keys?", ...s]);
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(await json(["stats", ...s])).toMatchObject({ store: "postgres", documents: 6, location: expect.stringContaining("schema cli") });
    expect(await json(["doctor", ...s])).toMatchObject({ ok: true, documents: 6 });
    expect(await json(["migrate", ...s])).toMatchObject({ from: 3, to: 3 });
    // Unchanged files are not embedded twice.
    expect(await json(["ingest", SAMPLES, ...s])).toMatchObject({ unchanged: 6, chunksEmbedded: 0 });
  });

  it("migrate upgrades an older schema in place, keeping the index; a newer schema is refused", async () => {
    const s = store("upgrade");
    await json(["ingest", SAMPLES, ...s]);
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({ connectionString: pgServer().url, max: 1 });
    try {
      // Back to how schema version 1 was: the postings key without its covering columns, no metadata index.
      await pool.query(`ALTER TABLE "upgrade"."postings" DROP CONSTRAINT postings_pkey, ADD PRIMARY KEY (term, chunk_id)`);
      await pool.query(`DROP INDEX "upgrade".documents_metadata`);
      await pool.query(`UPDATE "upgrade"."meta" SET value = '1' WHERE key = 'schema_version'`);
      expect(await json(["migrate", ...s])).toMatchObject({ from: 1, to: 3 });
      const key = await pool.query(`SELECT pg_get_indexdef('"upgrade".postings_pkey'::regclass) AS def`);
      expect(key.rows[0].def).toContain("INCLUDE (tf, length, doc_id)");
      const metadata = await pool.query(`SELECT pg_get_indexdef('"upgrade".documents_metadata'::regclass) AS def`);
      expect(metadata.rows[0].def).toContain("gin (metadata jsonb_path_ops)");
      expect((await json(["search", "rotate api keys", ...s])).hits[0].source).toBe(path.join(SAMPLES, "security.md"));
      await pool.query(`UPDATE "upgrade"."meta" SET value = '99' WHERE key = 'schema_version'`);
      const newer = await runCli(["search", "keys", ...s, "--json"]);
      expect(JSON.parse(newer.stdout).error).toMatchObject({
        code: "INDEX_SCHEMA_MISMATCH",
        message: expect.stringContaining("upgrade ragkit"),
      });
    } finally {
      await pool.end();
    }
  });

  it("copies an index from a LanceDB folder to Postgres and back without embedding; both answer alike", async () => {
    const root = await tempDir();
    const folder = path.join(root, "idx");
    await json(["ingest", SAMPLES, "--index", folder]);
    const there = await json(["copy", "--from", folder, "--to", pg.url, "--to-schema", "copied"]);
    expect(there).toMatchObject({ documents: 6, skipped: 0 });
    // Run again (as after an interruption): nothing left to move.
    expect(await json(["copy", "--from", folder, "--to", pg.url, "--to-schema", "copied"])).toMatchObject({ documents: 0, skipped: 6 });
    const back = path.join(root, "back");
    expect(await json(["copy", "--from", pg.url, "--from-schema", "copied", "--to", back])).toMatchObject({ documents: 6 });
    for (const query of ["rotate api keys", "maximum file size", "which formats are supported"]) {
      // Scores agree to float32 precision (LanceDB computes in f32, Postgres in f64).
      const ranked = async (args: string[]) =>
        (await json(["search", query, "--mode", "hybrid", "-k", "5", ...args])).hits.map(
          (h: { chunkId: string; scores: Record<string, number> }) => [
            h.chunkId,
            Object.fromEntries(Object.entries(h.scores).map(([k, v]) => [k, v.toFixed(5)])),
          ],
        );
      const original = await ranked(["--index", folder]);
      expect(await ranked(store("copied"))).toEqual(original);
      expect(await ranked(["--index", back])).toEqual(original);
    }
  });

  it("writers in several processes take turns; a writer killed mid-transaction leaves nothing behind", async () => {
    const root = await tempDir();
    await writeCorpus(path.join(root, "a"), 30);
    await writeCorpus(path.join(root, "b"), 30, "other");
    const s = store("writers");
    const killed = await runCli(["ingest", path.join(root, "a"), ...s], { env: { RAGKIT_FAULT: "upsert:chunks-written" } });
    expect(killed.code).toBeNull();
    expect(await json(["stats", ...s])).toMatchObject({ documents: 0, chunks: 0 });
    const a = spawnCli(["ingest", path.join(root, "a"), ...s]);
    const b = spawnCli(["ingest", path.join(root, "b"), ...s]);
    expect(await Promise.all([exited(a), exited(b)])).toEqual([0, 0]);
    const doctor = await json(["doctor", ...s]);
    expect(doctor).toMatchObject({ ok: true, documents: 60, duplicateDocuments: [], duplicateChunks: [] });
  });

  it("a server on Postgres keeps answering while a CLI ingest writes, and sees the new documents", async () => {
    const root = await tempDir();
    await writeCorpus(path.join(root, "docs"), 40);
    const s = store("served");
    await json(["ingest", SAMPLES, ...s]);
    const server = spawnCli(["serve", "--port", "0", ...s]);
    let log = "";
    server.stderr.on("data", (d) => {
      log += d;
    });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = "";
        server.stdout.on("data", (d) => {
          out += d;
          log += d;
          const match = /at (http:\/\/[\d.:]+)/.exec(out);
          if (match) resolve(match[1] as string);
        });
        server.on("close", () => reject(new Error(`server exited: ${out}`)));
      });
      const ingest = spawnCli(["ingest", path.join(root, "docs"), ...s]);
      const done = exited(ingest);
      let finished = false;
      void done.then(() => {
        finished = true;
      });
      const statuses: number[] = [];
      let firstError = "";
      for (let after = 0; after < 5; ) {
        const res = await fetch(`${address}/api/search`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "harbour ferry lantern", k: 3 }),
        });
        statuses.push(res.status);
        const body = await res.text();
        if (res.status !== 200 && !firstError) firstError = body;
        if (finished) after++;
        await sleep(100);
      }
      expect(await done).toBe(0);
      expect(
        statuses.filter((code) => code !== 200),
        [firstError, ...log.split("\n").filter((l) => /error/i.test(l))].slice(0, 4).join("\n"),
      ).toEqual([]);
      const stats = (await (await fetch(`${address}/api/stats`)).json()) as { documents: number };
      expect(stats.documents).toBe(46);
    } finally {
      server.kill("SIGTERM");
      await exited(server);
    }
  });

  it("opens through the library with Rag.open({ config: { store } }), and refuses a URL that is not Postgres", async () => {
    const rag = await Rag.open({ config: { store: { url: pg.url, schema: "library" } } });
    try {
      await rag.ingest([
        { id: "note", source: "mem://note", text: "Granite quarries close at dusk.", metadata: { team: "stone" } },
        { id: "memo", source: "mem://memo", text: "Granite quarry tours start at noon.", metadata: { team: "tours" } },
      ]);
      expect((await rag.search("granite quarry", { k: 1 }))[0]?.chunk.documentId).toBe("note");
      // A metadata filter reaches both rankings as the ids it allows.
      for (const mode of ["hybrid", "dense", "lexical"] as const) {
        const tours = await rag.search("granite quarry dusk", { k: 5, mode, filter: { metadata: { team: "tours" } } });
        expect(tours.map((h) => h.chunk.documentId)).toEqual(["memo"]);
        expect(await rag.search("granite quarry", { k: 5, mode, filter: { metadata: { team: "none" } } })).toEqual([]);
      }
      expect((await rag.stats()).store).toBe("postgres");
    } finally {
      await rag.close();
    }
    await expect(Rag.open({ config: { store: { url: "mysql://db/rag" } } })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });

  it("says what is wrong with the database: unreachable (naming it, no password), no pgvector (how to enable it)", async () => {
    const nowhere = await runCli(["search", "x", "--store", "postgres://ragkit:secret@127.0.0.1:9/rag", "--json"]);
    expect(JSON.parse(nowhere.stdout).error).toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringContaining("127.0.0.1:9") });
    expect(nowhere.stdout + nowhere.stderr).not.toContain("secret");
    const plain = await startPostgres("", { vector: false });
    try {
      const run = await runCli(["ingest", SAMPLES, "--store", plain.url, "--json"]);
      expect(JSON.parse(run.stdout).error).toMatchObject({
        code: "STORE_FAILED",
        message: expect.stringMatching(/pgvector.*CREATE EXTENSION vector/),
      });
    } finally {
      await plain.stop();
    }
  });
});

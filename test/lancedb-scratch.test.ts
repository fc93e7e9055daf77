import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { sweepShuffleScratch } from "../src/store/lancedb-scratch.js";

const run = promisify(execFile);
const HOUR = 60 * 60_000;

// A real IVF build, in a process of its own so that its TMPDIR is the one Lance reads.
const BUILD = `
import * as lancedb from "@lancedb/lancedb";
const db = await lancedb.connect(process.argv[1]);
const rows = Array.from({ length: 2000 }, (_, i) => ({ id: String(i), vector: Array.from({ length: 16 }, (_, j) => Math.sin(i * 7 + j * 13)) }));
const table = await db.createTable("t", rows);
await table.createIndex("vector", { config: lancedb.Index.ivfRq({ distanceType: "cosine", numPartitions: 8 }) });
`;

let root: string;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Dates a folder and everything in it `ms` back. */
async function age(folder: string, ms: number): Promise<void> {
  const at = new Date(Date.now() - ms);
  for (const entry of await readdir(folder)) await utimes(path.join(folder, entry), at, at);
  await utimes(folder, at, at);
}

async function spill(dir: string, name: string, files: string[], ageMs: number): Promise<void> {
  const folder = path.join(dir, name);
  await mkdir(folder);
  for (const file of files) await writeFile(path.join(folder, file), "x");
  await age(folder, ageMs);
}

describe("the shuffle spills Lance's index builds leave in the temp folder", () => {
  it("are left by a real build, and swept once stale while a fresh one is kept", async () => {
    root = await mkdtemp(path.join(tmpdir(), "ragkit-scratch-"));
    const temp = path.join(root, "tmp");
    await mkdir(temp);
    const build = (db: string) =>
      run(process.execPath, ["--input-type=module", "-e", BUILD, db], { env: { ...process.env, TMPDIR: temp } });
    await build(path.join(root, "db1"));
    const [first] = await readdir(temp);
    // lance#8992: when a LanceDB upgrade stops leaking, this fails, and the sweeper can go.
    expect(first).toMatch(/^\.tmp/);
    expect((await readdir(path.join(temp, first as string))).some((f) => f.startsWith("shuffle_data"))).toBe(true);
    await age(path.join(temp, first as string), 2 * HOUR);
    await build(path.join(root, "db2"));

    expect(await sweepShuffleScratch({ dir: temp })).toBe(1);
    const left = await readdir(temp);
    expect(left).toHaveLength(1);
    expect(left).not.toContain(first);
  });

  it("touches nothing that is not a stale spill of shuffle files only", async () => {
    root = await mkdtemp(path.join(tmpdir(), "ragkit-scratch-"));
    const shuffle = ["shuffle_data.lance", "shuffle_data.spill", "shuffle_offsets.lance", "shuffle_offsets.spill"];
    await spill(root, ".tmpAbc123", shuffle, 2 * HOUR);
    await spill(root, ".tmpFresh1", shuffle, 60_000);
    await spill(root, ".tmpOther1", [...shuffle, "notes.txt"], 2 * HOUR);
    await spill(root, ".tmpEmpty1", [], 2 * HOUR);
    await spill(root, "tmpNoDot12", shuffle, 2 * HOUR);
    await spill(root, ".tmpTooLong1", shuffle, 2 * HOUR);
    await writeFile(path.join(root, ".tmpAFile1"), "x");

    expect(await sweepShuffleScratch({ dir: root })).toBe(1);
    expect((await readdir(root)).sort()).toEqual([".tmpAFile1", ".tmpEmpty1", ".tmpFresh1", ".tmpOther1", ".tmpTooLong1", "tmpNoDot12"]);
    // A shorter staleness takes the fresh one too; a missing folder is no error.
    expect(await sweepShuffleScratch({ dir: root, staleMs: 0 })).toBe(1);
    expect(await sweepShuffleScratch({ dir: path.join(root, "gone") })).toBe(0);
  });
});

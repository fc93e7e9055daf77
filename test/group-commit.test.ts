import { describe, expect, it } from "vitest";
import { GroupCommit } from "../src/ingest/group-commit.js";
import type { DocumentWrite } from "../src/store/types.js";
import { documentWrite } from "./conformance/store.js";

const doc = (id: string, chunks: number): DocumentWrite =>
  documentWrite(
    id,
    Array.from({ length: chunks }, (_, i) => `paragraph ${i} of ${id}`),
    0,
  );

describe("group commit", () => {
  it("commits in order; writes that arrive during a commit go into the next one together, up to the cap", async () => {
    const commits: string[][] = [];
    let release: (() => void) | undefined;
    const group = new GroupCommit(async (writes) => {
      commits.push(writes.map((w) => w.document.id));
      if (commits.length === 1) await new Promise<void>((r) => (release = r));
    }, 5);
    const done = [
      group.write([doc("a", 2)]),
      group.write([doc("b", 2)]),
      group.write([doc("c", 2)]),
      group.write([doc("d", 1), doc("e", 1)]),
    ];
    expect(group.pending).toBe(8);
    await new Promise((r) => setTimeout(r, 10));
    release?.();
    await Promise.all(done);
    // "a" alone (it started at once); then b+c (4 chunks) — adding d+e would pass the cap of 5.
    expect(commits).toEqual([["a"], ["b", "c"], ["d", "e"]]);
    expect(group.pending).toBe(0);
  });

  it("after a failed commit, nothing later is written and every waiting write fails with that error", async () => {
    const written: string[] = [];
    const group = new GroupCommit(async (writes) => {
      if (writes.some((w) => w.document.id === "b")) throw new Error("disk full");
      written.push(...writes.map((w) => w.document.id));
    }, 1);
    const results = await Promise.allSettled([group.write([doc("a", 1)]), group.write([doc("b", 1)]), group.write([doc("c", 1)])]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ message: "disk full" });
    expect(written).toEqual(["a"]);
  });
});

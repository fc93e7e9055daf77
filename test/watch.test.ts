import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Rag } from "../src/rag.js";
import type { WatchEvent } from "../src/types.js";
import { spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("folder watch", () => {
  it("follows added, changed and deleted files (and ignores what ingest would), one event each", async () => {
    const root = await tempDir();
    const docs = path.join(root, "docs");
    await mkdir(path.join(docs, "sub"), { recursive: true });
    await writeFile(path.join(docs, "a.md"), "# A\n\nFerries leave at dawn.\n");
    await writeFile(path.join(docs, ".gitignore"), "secret.md\n");
    const rag = await Rag.open({ dir: path.join(root, "idx") });
    const events: WatchEvent[] = [];
    const watch = rag.watch([docs], { debounceMs: 100, onEvent: (e) => events.push(e) });
    try {
      expect((await watch.ready).added).toBe(1);
      const sources = async () => (await rag.documents()).map((d) => path.relative(docs, d.source)).sort();

      await writeFile(path.join(docs, "sub", "b.md"), "# B\n\nLanterns glow over the granite quarry.\n");
      await writeFile(path.join(docs, "secret.md"), "# Secret\n");
      await writeFile(path.join(docs, "image.png"), "not a document");
      // Events come after the write, so a reader may see the change a moment before its log line.
      const saw = (kind: string) => events.some((e) => `${e.kind} ${path.relative(docs, e.path)}`.startsWith(kind));
      await until(async () => (await sources()).includes("sub/b.md") && saw("added sub/b.md"), "b.md to be indexed");
      expect((await rag.search("lanterns granite", { k: 1, mode: "lexical" }))[0]?.chunk.source).toBe(path.join(docs, "sub", "b.md"));

      await writeFile(path.join(docs, "a.md"), "# A\n\nFerries now leave at noon.\n");
      await until(
        async () => (await rag.search("noon", { k: 1, mode: "lexical" })).length === 1 && saw("updated a.md"),
        "a.md to be updated",
      );

      await rm(path.join(docs, "sub"), { recursive: true });
      await until(async () => !(await sources()).includes("sub/b.md") && saw("removed sub"), "b.md to be removed");
      expect(await sources()).toEqual(["a.md"]);
      const kinds = events.map((e) => `${e.kind} ${e.path === docs ? "." : path.relative(docs, e.path)}`);
      expect(kinds).toContain("added sub/b.md");
      expect(kinds).toContain("updated a.md");
      expect(kinds.some((k) => k.startsWith("removed sub"))).toBe(true);
      expect(kinds.some((k) => k.includes("secret") || k.includes("image"))).toBe(false);
      expect((await rag.doctor()).ok).toBe(true);
    } finally {
      await watch.close();
      await rag.close();
    }
  });

  it("ragkit serve --watch shows a file written to the folder through the API within seconds", async () => {
    const root = await tempDir();
    const docs = path.join(root, "docs");
    await mkdir(docs);
    const child = spawnCli(["serve", "--port", "0", "--index", path.join(root, "idx"), "--watch", docs]);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    try {
      await until(async () => /at (http:\/\/[^ ]+)/.test(stderr) && stderr.includes("watch.ready"), "the server and watch", 60_000);
      const base = (/at (http:\/\/[^ ]+)/.exec(stderr) as RegExpExecArray)[1];
      await writeFile(path.join(docs, "new.md"), "# New\n\nThe orchard compass points north.\n");
      await until(async () => {
        const response = await fetch(`${base}/api/search`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "orchard compass", mode: "lexical" }),
        });
        const body = (await response.json()) as { hits: Array<{ source: string }> };
        // The log line follows the write, so the API may see the file a moment before it.
        return body.hits[0]?.source === path.join(docs, "new.md") && /"event":"watch.added".*new\.md/.test(stderr);
      }, "the API to find the new file, and its log line");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.on("close", resolve));
    }
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { walk } from "../src/load/walk.js";
import { tempDir } from "./helpers/fs.js";

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

async function names(inputs: string[], root: string, options = { include: [] as string[], exclude: [] as string[], gitignore: true }) {
  const out: string[] = [];
  for await (const f of walk(inputs, options)) out.push(path.relative(root, f.path));
  return out;
}

describe("walking folders", () => {
  it("takes supported files recursively in a stable order, honouring .gitignore at every level", async () => {
    const root = await tree({
      ".gitignore": "build/\n*.log.md\n",
      "a.md": "a",
      "b.txt": "b",
      "image.png": "x",
      "build/out.md": "x",
      "notes/c.html": "c",
      "notes/.gitignore": "private.md\n",
      "notes/private.md": "secret",
      "notes/debug.log.md": "x",
      "node_modules/pkg/readme.md": "x",
      ".ragkit/manifest.json": "{}",
    });
    expect(await names([root], root)).toEqual(["a.md", "b.txt", "notes/c.html"]);
    expect(await names([root], root, { include: [], exclude: [], gitignore: false })).toEqual([
      "a.md",
      "b.txt",
      "build/out.md",
      "notes/c.html",
      "notes/debug.log.md",
      "notes/private.md",
    ]);
  });

  it("applies include and exclude globs relative to the folder; named files are always taken", async () => {
    const root = await tree({ "docs/x.md": "x", "docs/y.txt": "y", "src/z.md": "z", "other.bin": "b" });
    expect(await names([root], root, { include: ["docs/**"], exclude: ["**/*.txt"], gitignore: true })).toEqual(["docs/x.md"]);
    expect(await names([path.join(root, "other.bin")], root)).toEqual(["other.bin"]);
  });
});

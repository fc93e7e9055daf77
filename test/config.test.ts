import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configFromEnv, resolveConfig } from "../src/config.js";
import { RagkitError } from "../src/errors.js";
import { tempDir } from "./helpers/fs.js";

describe("configuration", () => {
  it("layers defaults < file < RAGKIT_* environment < overrides", async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, "ragkit.config.json"), JSON.stringify({ search: { k: 7, mode: "lexical" }, chunk: { size: 300 } }));
    const env = {
      RAGKIT_SEARCH_K: "9",
      RAGKIT_LOAD_EXCLUDE: "a/**, b/**",
      RAGKIT_LOAD_GITIGNORE: "false",
      RAGKIT_SEARCH_DENSE_WEIGHT: "0.3",
    };
    const config = resolveConfig({ cwd, env, overrides: { search: { mode: "dense" } } });
    expect(config.search).toMatchObject({ k: 9, mode: "dense", denseWeight: 0.3 });
    expect(config.chunk).toEqual({ size: 300, overlap: 64 });
    expect(config.load.exclude).toEqual(["a/**", "b/**"]);
    expect(config.load.gitignore).toBe(false);
    expect(configFromEnv({ RAGKIT_INDEX: "/x" })).toEqual({ index: "/x" });
  });

  it("rejects bad values and unknown keys with INVALID_CONFIG naming the option", async () => {
    const cwd = await tempDir();
    const bad = (fn: () => unknown, pattern: RegExp) => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(RagkitError.isInstance(error) && error.code).toBe("INVALID_CONFIG");
        expect((error as Error).message).toMatch(pattern);
      }
    };
    bad(() => resolveConfig({ cwd, env: { RAGKIT_SEARCH_K: "many" } }), /search\.k/);
    bad(() => resolveConfig({ cwd, env: {}, overrides: { chunk: { size: 64, overlap: 64 } } }), /overlap/);
    // A size PostgreSQL would refuse only when the index is built is refused up front.
    bad(() => resolveConfig({ cwd, env: { RAGKIT_STORE_INDEX_BUILD_MEMORY: "1GB; DROP TABLE x" } }), /store\.indexBuildMemory.*2GB/);
    expect(resolveConfig({ cwd, env: { RAGKIT_STORE_INDEX_BUILD_MEMORY: "2GB" } }).store.indexBuildMemory).toBe("2GB");
    await writeFile(path.join(cwd, "ragkit.config.json"), JSON.stringify({ serch: {} }));
    bad(() => resolveConfig({ cwd, env: {} }), /serch/);
    await writeFile(path.join(cwd, "ragkit.config.json"), "{ not json");
    bad(() => resolveConfig({ cwd, env: {} }), /not valid JSON/);
    bad(() => resolveConfig({ cwd, env: {}, file: "missing.json" }), /does not exist/);
  });
});

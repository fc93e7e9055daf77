import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["dist/**", "node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file loads the embedding model in worker threads; two files at a time fit 2 cores.
    maxWorkers: 2,
    pool: "forks",
  },
});

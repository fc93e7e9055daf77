import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["dist/**", "node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    // Generous: the same machine has been seen 2.5x slower on some days (a crash-harness run took
    // 119 s there); a test that exists to catch a hang has a watchdog of its own.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Each file loads the embedding model in worker threads; two files at a time fit 2 cores.
    maxWorkers: 2,
    pool: "forks",
  },
});

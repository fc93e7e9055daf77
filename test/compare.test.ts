import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareRuns, pairedBootstrap } from "../src/eval/compare.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

function run(scores: number[], kind: "answers" | "retrieval" = "answers") {
  return {
    kind,
    dataset: "d",
    config: {},
    metrics: {},
    results: scores.map((f1, i) => ({ id: `q${i}`, metrics: { f1, abstained: f1 === 0 ? 1 : 0 } })),
  };
}

describe("eval compare", () => {
  it("a run against itself: zero deltas, no significance", () => {
    const base = run([0.1, 0.5, 0.9, 0.3, 0.0, 0.7]);
    const c = compareRuns(base, base);
    for (const m of c.metrics) expect(m).toMatchObject({ delta: 0, ci: [0, 0], pValue: 1, significant: false, worse: false });
  });

  it("a consistent improvement is significant; a consistent drop is flagged worse, abstention direction-aware", () => {
    const n = 60;
    const base = run(Array.from({ length: n }, (_, i) => (i % 10) / 10));
    const better = run(Array.from({ length: n }, (_, i) => Math.min(1, (i % 10) / 10 + 0.1 + (i % 3) * 0.01)));
    const up = compareRuns(base, better).metrics.find((m) => m.metric === "f1");
    expect(up?.significant).toBe(true);
    expect(up?.worse).toBe(false);
    expect(up?.ci[0]).toBeGreaterThan(0);
    const down = compareRuns(better, base).metrics.find((m) => m.metric === "f1");
    expect(down?.worse).toBe(true);
    // Fewer abstentions is better.
    const abst = compareRuns(run(Array(n).fill(0)), run(Array(n).fill(0.5))).metrics.find((m) => m.metric === "abstained");
    expect(abst).toMatchObject({ worse: false, significant: true, wins: n });
  });

  it("the bootstrap is reproducible and its interval contains the mean", () => {
    const deltas = [0.2, -0.1, 0.05, 0.3, 0, -0.2, 0.1];
    const a = pairedBootstrap(deltas);
    expect(pairedBootstrap(deltas)).toEqual(a);
    const mean = deltas.reduce((x, y) => x + y, 0) / deltas.length;
    expect(a.ci[0]).toBeLessThanOrEqual(mean);
    expect(a.ci[1]).toBeGreaterThanOrEqual(mean);
  });

  it("--fail-if-worse gates on a significant drop; mismatched runs are refused", async () => {
    const dir = await tempDir();
    const n = 40;
    await writeFile(path.join(dir, "good.json"), JSON.stringify(run(Array.from({ length: n }, (_, i) => 0.5 + (i % 5) / 10))));
    await writeFile(path.join(dir, "bad.json"), JSON.stringify(run(Array.from({ length: n }, (_, i) => 0.2 + (i % 5) / 10))));
    await writeFile(path.join(dir, "retrieval.json"), JSON.stringify(run([0.1], "retrieval")));
    expect((await runCli(["eval", "compare", path.join(dir, "good.json"), path.join(dir, "good.json"), "--fail-if-worse"])).code).toBe(0);
    const worse = await runCli(["eval", "compare", path.join(dir, "good.json"), path.join(dir, "bad.json"), "--fail-if-worse"]);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toMatch(/f1 .* WORSE/);
    const mixed = await runCli(["eval", "compare", path.join(dir, "good.json"), path.join(dir, "retrieval.json")]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/INVALID_ARGUMENT/);
  });
});

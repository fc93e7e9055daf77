import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cohensKappa } from "../src/review/kappa.js";
import { ARTIFACTS, launchBrowser } from "./helpers/browser.js";
import { exited, runCli, spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";
import { serverFor } from "./helpers/server.js";

const ITEMS = [
  {
    id: "q1",
    question: "When does the ferry leave?",
    answer: "At dawn [1].",
    gold: ["at dawn"],
    citations: [{ marker: 1, documentId: "d1", quote: "The ferry leaves at dawn." }],
  },
  { id: "q2", question: "Where do gulls nest?", answer: "On the <b>cliffs</b>.", gold: ["on the cliffs"], citations: [] },
];

describe("human review", () => {
  it("Cohen's kappa matches the textbook example (Wikipedia, 'Cohen's kappa': 20/5/10/15 → 0.4)", () => {
    const pairs: Array<[string, string]> = [
      ...Array.from({ length: 20 }, () => ["yes", "yes"] as [string, string]),
      ...Array.from({ length: 5 }, () => ["yes", "no"] as [string, string]),
      ...Array.from({ length: 10 }, () => ["no", "yes"] as [string, string]),
      ...Array.from({ length: 15 }, () => ["no", "no"] as [string, string]),
    ];
    expect(cohensKappa(pairs)).toBeCloseTo(0.4, 10);
    expect(cohensKappa([])).toBeNull();
    expect(
      cohensKappa([
        [1, 1],
        [2, 2],
      ]),
    ).toBe(1);
  });

  it("ratings given on the web UI's Review page persist across a restart and appear in review export", async () => {
    const index = await tempDir();
    let server = await serverFor({ dir: index });
    const loaded = await server.app.inject({ method: "POST", url: "/api/review/runs", payload: { name: "run.json", results: ITEMS } });
    expect(loaded.statusCode).toBe(201);
    const address = await server.app.listen({ host: "127.0.0.1", port: 0 });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${address}/#review`);
      await page.locator("#reviewer").fill("ana");
      await page.locator("#reviewer").press("Tab");
      await page.getByText("When does the ferry leave?").waitFor();
      await page.locator("#correctness").selectOption("4");
      await page.locator("#grounded").check();
      await page.locator("#comment").fill("fine, slightly terse");
      await page.getByRole("button", { name: "Save and next" }).click();
      await page.getByText("Where do gulls nest?").waitFor();
      await expect.poll(() => page.locator("[data-testid=agreement]").textContent()).toContain("1 rating so far");
      // The answer's markup is shown as text.
      expect((await page.locator("#item .card").textContent())?.trim()).toBe("On the <b>cliffs</b>.");
      expect(await page.locator("#item b").count()).toBe(0);
      await page.screenshot({ path: path.join(ARTIFACTS, "ui-review.png"), fullPage: true });
    } finally {
      await browser.close();
      await server.close();
    }
    // Restart: a new server and index handle on the same folder.
    server = await serverFor({ dir: index });
    const { app } = server;
    const next = (await app.inject({ url: "/api/review/next?run=run.json&reviewer=ana" })).json();
    expect(next.item.id).toBe("q2");
    const rate = (correctness: number) =>
      app.inject({
        method: "POST",
        url: "/api/review/rate",
        payload: { run: "run.json", reviewer: "bo", itemId: "q1", correctness, grounded: true, citationsCorrect: false },
      });
    expect((await rate(4)).statusCode).toBe(200);
    expect((await rate(9)).statusCode).toBe(400);
    expect((await app.inject({ url: "/api/review/next?run=nope.json&reviewer=ana" })).statusCode).toBe(404);
    const stats = (await app.inject({ url: "/api/review/stats?run=run.json" })).json();
    expect(stats.agreement[0]).toMatchObject({ reviewers: ["ana", "bo"], items: 1 });
    await server.close();

    const exported = await runCli(["review", "export", "--index", index, "--format", "csv"]);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = exported.stdout.trim().split("\n");
    expect(lines[0]).toBe("run,item_id,reviewer,correctness,grounded,citations_correct,comment,created_at");
    expect(lines[1]).toMatch(/^run\.json,q1,ana,4,true,false,"fine, slightly terse",/);
    expect(lines[2]).toMatch(/^run\.json,q1,bo,4,true,false,,/);
    const asJson = JSON.parse((await runCli(["review", "export", "--index", index, "--json"])).stdout);
    expect(asJson.ratings).toHaveLength(2);
    expect(asJson.agreement["run.json"][0].reviewers).toEqual(["ana", "bo"]);

    // The agreement goes into the run's HTML report.
    const runFile = path.join(await tempDir(), "run.json");
    await writeFile(
      runFile,
      JSON.stringify({
        kind: "answers",
        dataset: "x",
        config: {},
        metrics: { f1: 0.5 },
        results: ITEMS.map((i) => ({ ...i, metrics: { f1: 0.5 } })),
      }),
    );
    const reportFile = path.join(await tempDir(), "report.html");
    const report = await runCli(["review", "export", "--index", index, "--run-file", runFile, "--report", reportFile, "--format", "csv"]);
    expect(report.code, report.stderr).toBe(0);
    const html = await readFile(reportFile, "utf8");
    expect(html).toContain("Human review");
    expect(html).toContain('"reviewers":["ana","bo"]');
  });

  it("review serve loads a run file from eval answers and serves the UI opened on its Review page", async () => {
    const file = path.join(await tempDir(), "answers.json");
    await writeFile(
      file,
      JSON.stringify({ kind: "answers", dataset: "x", config: {}, metrics: {}, results: ITEMS.map((i) => ({ ...i, metrics: {} })) }),
    );
    const bad = await runCli(["review", "serve", "--run", path.join(path.dirname(file), "missing.json")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/INVALID_ARGUMENT/);
    // The same server as `ragkit serve`: the UI's Review page and the whole API.
    const child = spawnCli(["review", "serve", "--run", file, "--port", "0", "--index", path.join(await tempDir(), "idx")]);
    try {
      const url = await new Promise<string>((resolve) => {
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += d;
          const match = /at (http:\/\/\S+)\/#review/.exec(stderr);
          if (match) resolve(match[1] as string);
        });
      });
      expect(await (await fetch(`${url}/api/review/runs`)).json()).toEqual({ runs: ["answers.json"] });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect(await (await fetch(`${url}/`)).text()).toContain("app.js");
    } finally {
      child.kill("SIGINT");
      await exited(child);
    }
  });
});

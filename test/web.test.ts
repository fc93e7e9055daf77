import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReport } from "../src/eval/report.js";
import { ARTIFACTS, launchBrowser } from "./helpers/browser.js";
import { tempDir } from "./helpers/fs.js";
import { makePdf } from "./helpers/pdf.js";
import { serverFor } from "./helpers/server.js";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("web UI in headless Chromium", () => {
  it("uploads a PDF, lists it, answers with a citation that opens the highlighted span", async () => {
    const { app, rag, close } = await serverFor({ apiKeys: ["browser-key-1"] });
    const page = await browser.newPage();
    try {
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      await page.goto(address);
      await page.locator("details.settings summary").click();
      await page.locator("details.settings input[type=password]").fill("browser-key-1");
      await page.getByRole("button", { name: "Documents" }).click();
      await page.setInputFiles("[data-testid=file-input]", [
        { name: "harbour.pdf", mimeType: "application/pdf", buffer: makePdf(["The harbour ferry leaves at dawn every Tuesday."]) },
        { name: "broken.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 nonsense") },
      ]);
      await expect.poll(() => page.locator(".uploads li.indexed").count(), { timeout: 30_000 }).toBe(1);
      await expect.poll(() => page.locator(".uploads li.failed .status").textContent()).toMatch(/PARSE_FAILED/);
      await expect.poll(() => page.locator("table tbody tr").count()).toBe(1);
      expect(await page.locator("table tbody").textContent()).toContain("harbour.pdf");
      await page.screenshot({ path: path.join(ARTIFACTS, "documents.png"), fullPage: true });

      await page.getByRole("button", { name: "Chat" }).click();
      await page.locator("input[name=question]").fill("When does the harbour ferry leave?");
      await page.getByRole("button", { name: "Ask" }).click();
      const cite = page.locator(".answer .cite").first();
      await cite.waitFor({ timeout: 30_000 });
      await cite.click();
      const highlight = page.locator("[data-testid=highlight]");
      await highlight.waitFor();
      expect(await highlight.textContent()).toContain("The harbour ferry leaves at dawn every Tuesday.");
      expect(await page.locator(".source .path").textContent()).toBe("harbour.pdf");
      await page.screenshot({ path: path.join(ARTIFACTS, "chat-citation.png"), fullPage: true });

      // A thumbs up on the answer is stored for `ragkit tune --feedback`, for the document it cites.
      const up = page.getByRole("button", { name: "This answer: helpful" });
      await up.click();
      await expect.poll(() => up.getAttribute("aria-pressed")).toBe("true");
      const feedback = await rag.feedback();
      expect(feedback).toHaveLength(1);
      expect(feedback[0]).toMatchObject({ query: "When does the harbour ferry leave?", rating: 1 });
      expect((await rag.getDocument(feedback[0]?.documentId ?? ""))?.metadata.filename).toBe("harbour.pdf");
    } finally {
      await page.close();
      await close();
    }
  });

  it("a hostile document renders as inert text", async () => {
    const { app, close } = await serverFor();
    const page = await browser.newPage();
    try {
      const evil = [
        "# Totally normal notes",
        "",
        "<script>window.__pwned = 1</script>",
        '<img src="x" onerror="window.__pwned = 2">',
        "[click me](javascript:window.__pwned=3) about the lighthouse keeper.",
      ].join("\n");
      await app.inject({
        method: "POST",
        url: "/api/ingest",
        payload: { documents: [{ id: "evil", source: "mem://evil.md", text: evil }] },
      });
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      await page.goto(address);
      await page.locator("input[name=question]").fill("What about the lighthouse keeper?");
      await page.getByRole("button", { name: "Ask" }).click();
      await page.locator(".answer .cite").first().waitFor({ timeout: 30_000 });
      // The quoted javascript: link keeps its words but is not a link; the raw HTML shows as text.
      expect(await page.locator(".answer").first().textContent()).toContain("click me");
      expect(await page.locator(".answer a, .answer script, .answer img").count()).toBe(0);
      await page.getByRole("button", { name: "Documents" }).click();
      await page.getByRole("button", { name: "evil.md" }).click();
      const text = await page.locator(".doc-text").textContent();
      expect(text).toContain("<script>window.__pwned = 1</script>");
      expect(text).toContain('onerror="window.__pwned = 2"');
      expect(await page.locator(".doc-text script, .doc-text img, .doc-text a").count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await page.screenshot({ path: path.join(ARTIFACTS, "xss-inert.png"), fullPage: true });
    } finally {
      await page.close();
      await close();
    }
  });

  it("the evaluation report opens offline, draws its charts, filters questions, and keeps hostile text inert", async () => {
    const result = (id: string, question: string, f1: number) => ({
      id,
      question,
      answer: f1 > 0.5 ? "at dawn <img src=x onerror=window.__pwned=1>" : "unknown",
      gold: ["at dawn"],
      citations: [{ marker: 1, documentId: "d1", start: 0, end: 7, quote: "at dawn" }],
      hits: [{ documentId: "d1", score: 0.9 }],
      metrics: { f1, em: f1 === 1 ? 1 : 0 },
    });
    const run = (f1s: number[]) => ({
      kind: "answers",
      dataset: "qa.jsonl",
      config: { model: "ragkit-extractive" },
      metrics: { f1: f1s.reduce((a, b) => a + b, 0) / f1s.length, em: 0 },
      results: f1s.map((f, i) => result(`q${i}`, i === 0 ? "When does the <b>ferry</b> leave?" : `Question ${i}`, f)),
    });
    const file = path.join(await tempDir(), "report.html");
    await writeReport(file, [run([1, 0.2, 0.7]), run([0.8, 0.4, 0.9])], ["base", "candidate"]);
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(`file://${file}`);
      await page.locator("#questions tr").nth(3).waitFor();
      expect(errors).toEqual([]);
      // Chart.js drew something: the canvases are not blank.
      // Runs in the page (a string, since the test itself is compiled without DOM types).
      const painted = (await page.evaluate(`[...document.querySelectorAll("canvas")].map((c) => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
        return ink;
      })`)) as number[];
      expect(painted).toHaveLength(2);
      for (const ink of painted) expect(ink).toBeGreaterThan(1000);
      expect(await page.locator("#summary").textContent()).toContain("candidate");
      await page.locator("#filter").fill("ferry");
      expect(await page.locator("#questions tr").count()).toBe(2);
      expect(await page.locator("#questions").textContent()).toContain("When does the <b>ferry</b> leave?");
      expect(await page.locator("#questions b, #questions img").count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await page.screenshot({ path: path.join(ARTIFACTS, "report.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";
import { makePdf } from "./helpers/pdf.js";
import { serverFor } from "./helpers/server.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(ROOT, "test-artifacts");

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  // Test the UI as it is in the source tree, not a stale bundle.
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build-web.mjs")]);
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe("web UI in headless Chromium", () => {
  it("uploads a PDF, lists it, answers with a citation that opens the highlighted span", async () => {
    const { app, close } = await serverFor({ apiKeys: ["browser-key-1"] });
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
      // The quoted javascript: link is shown as text, not turned into a link.
      expect(await page.locator(".answer").first().textContent()).toContain("javascript:window.__pwned=3");
      expect(await page.locator(".answer a").count()).toBe(0);
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
});

import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage, Generator } from "../src/generate/types.js";
import { ARTIFACTS, launchBrowser } from "./helpers/browser.js";
import { tempDir } from "./helpers/fs.js";
import { serverFor } from "./helpers/server.js";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const WIDTHS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1440, height: 900 },
] as const;

const PLUGINS_MD = [
  "# Plugins guide",
  "",
  "## Registering a plugin",
  "",
  "Register a plugin with a prefix like this:",
  "",
  "```js",
  "const fastify = require('fastify')()",
  "fastify.register(require('./plugin'), { prefix: '/v1' })",
  "```",
  "",
  "Plugins are encapsulated: decorators added inside one are not visible outside it.",
  "",
].join("\n");

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function docsFolder(): Promise<string> {
  const dir = await tempDir();
  await mkdir(path.join(dir, "guides"));
  await mkdir(path.join(dir, "notes"));
  await writeFile(path.join(dir, "guides", "plugins.md"), PLUGINS_MD);
  await writeFile(path.join(dir, "notes", "ferries.md"), "# Ferries\n\nThe harbour ferry leaves at dawn every Tuesday.\n");
  await writeFile(path.join(dir, "notes", "keys.md"), "# Keys\n\nRotate the signing key every ninety days.\n");
  return dir;
}

/** axe-core in the page: the serious and critical accessibility violations, by rule. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "best-practice"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary) })))`,
  )) as Array<{ id: string; impact: string; nodes: string[] }>;
  return result.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.join(" | ")}`);
}

const noSideScroll = (page: Page) => page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1") as Promise<boolean>;

describe("web UI: Markdown, conversations, documents, phones, keyboard, accessibility", () => {
  for (const size of WIDTHS) {
    it(`at ${size.width} px: answers render Markdown with highlighted code, chats are kept, documents filter and bulk-delete`, async () => {
      const { app, rag, close } = await serverFor();
      // The page's CSP forbids inline scripts; axe-core is injected as one, for the test only.
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, bypassCSP: true });
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      const page = await context.newPage();
      try {
        await rag.ingest([await docsFolder()]);
        const address = await app.listen({ host: "127.0.0.1", port: 0 });
        await page.goto(address);
        expect(await page.locator("[data-testid=models]").textContent()).toMatch(/Answers: extractive.*Embedder: bundled.*Reranker: none/);

        // Keyboard only: tab to the question, type, Enter.
        for (let i = 0; i < 25 && !(await page.evaluate("document.activeElement?.id === 'question'")); i++)
          await page.keyboard.press("Tab");
        await page.keyboard.type("How do I register a plugin with a prefix?");
        await page.keyboard.press("Enter");
        const answer = page.locator(".answer").first();
        await answer.locator(".cite").first().waitFor({ timeout: 30_000 });
        expect(await answer.locator("strong").first().textContent()).toBe("Plugins guide › Registering a plugin");
        expect(await answer.locator("pre code.language-js .hljs-keyword").count()).toBeGreaterThan(0);
        expect(await noSideScroll(page)).toBe(true);
        await page.screenshot({ path: path.join(ARTIFACTS, `ui-chat-${size.name}.png`), fullPage: true });

        await page.getByRole("button", { name: "Copy" }).click();
        await expect.poll(() => page.evaluate("navigator.clipboard.readText()")).toContain("Register a plugin with a prefix");
        await page.getByRole("button", { name: "Regenerate" }).click();
        await expect.poll(() => answer.locator("pre code").count(), { timeout: 30_000 }).toBe(1);

        // The cited section opens rendered, the cited span marked.
        await answer.locator(".cite").first().click();
        await page.locator(".source [data-testid=highlight]").waitFor();
        expect(await page.locator(".source .doc-text h2").textContent()).toBe("Registering a plugin");
        await page.screenshot({ path: path.join(ARTIFACTS, `ui-source-${size.name}.png`), fullPage: true });
        await page.getByRole("button", { name: "Close" }).click();

        // A second conversation; both survive a reload and can be reopened.
        await page.getByRole("button", { name: "New chat" }).click();
        await page.locator("#question").fill("When does the harbour ferry leave?");
        await page.getByRole("button", { name: "Ask" }).click();
        await page.locator(".answer .cite").first().waitFor({ timeout: 30_000 });
        await page.reload();
        if (size.width < 700) await page.getByRole("button", { name: /Conversations \(2\)/ }).click();
        const history = page.locator(".history-list li button.link:not(.remove)");
        await expect.poll(() => history.count()).toBe(2);
        await history.filter({ hasText: "register a plugin" }).click();
        expect(await page.locator(".turn .question").first().textContent()).toBe("How do I register a plugin with a prefix?");
        expect(await axeViolations(page)).toEqual([]);

        // Documents: names and folders shown, a filter, bulk delete after a confirmation.
        await page.getByRole("button", { name: "Documents" }).click();
        await expect.poll(() => page.locator("tbody tr").count()).toBe(3);
        expect(await page.locator("tbody").textContent()).toMatch(/plugins\.md.*guides/);
        await page.getByLabel("Find").fill("ferr");
        await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
        await page.getByLabel("Find").fill("");
        const notes = await page
          .getByLabel("Folder")
          .locator("option", { hasText: /notes$/ })
          .textContent();
        await page.getByLabel("Folder").selectOption({ label: notes ?? "" });
        await expect.poll(() => page.locator("tbody tr").count()).toBe(2);
        await page.getByLabel("Select all shown documents").check();
        page.once("dialog", (dialog) => void dialog.accept());
        await page.getByRole("button", { name: "Delete selected" }).click();
        await expect.poll(async () => (await rag.documents()).length).toBe(1);
        await page.getByLabel("Folder").selectOption("");
        await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
        expect(await noSideScroll(page)).toBe(true);
        await page.screenshot({ path: path.join(ARTIFACTS, `ui-documents-${size.name}.png`), fullPage: true });
        expect(await axeViolations(page)).toEqual([]);
      } finally {
        await context.close();
        await close();
      }
    }, 120_000);
  }

  it("follows the system's dark mode and passes the accessibility checks there too", async () => {
    const { app, close } = await serverFor();
    const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto(await app.listen({ host: "127.0.0.1", port: 0 }));
      const background = await page.evaluate(
        "getComputedStyle(document.body).backgroundColor || getComputedStyle(document.documentElement).backgroundColor",
      );
      const root = await page.evaluate("getComputedStyle(document.documentElement).backgroundColor");
      expect([background, root]).toContain("rgb(20, 20, 22)");
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(ARTIFACTS, "ui-dark.png"), fullPage: true });
    } finally {
      await context.close();
      await close();
    }
  });

  it("a streaming answer can be stopped; what came so far stays", async () => {
    // The UI's stop button is what is tested: a generator that writes a word every 100 ms.
    const slow: Generator = {
      model: "slow-test-generator",
      contextWindow: 4096,
      async *stream(_messages: ChatMessage[], options) {
        for (let i = 0; i < 200; i++) {
          if (options?.signal?.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
          yield `word${i} `;
        }
      },
      countTokens: async (text) => Math.ceil(text.length / 4),
      close: async () => undefined,
    };
    const { app, rag, close } = await serverFor({ generator: slow });
    const page = await browser.newPage();
    try {
      await rag.ingest([await docsFolder()]);
      await page.goto(await app.listen({ host: "127.0.0.1", port: 0 }));
      await page.locator("#question").fill("When does the harbour ferry leave?");
      await page.getByRole("button", { name: "Ask" }).click();
      await expect.poll(() => page.locator(".answer").first().textContent(), { timeout: 30_000 }).toContain("word3");
      await page.getByRole("button", { name: "Stop" }).click();
      await page.getByText("Stopped.").waitFor();
      const kept = (await page.locator(".answer .markdown").first().textContent()) ?? "";
      expect(kept).toContain("word3");
      expect(kept).not.toContain("word150");
      expect(await page.getByRole("button", { name: "Ask" }).isEnabled()).toBe(true);
    } finally {
      await page.close();
      await close();
    }
  }, 60_000);
});

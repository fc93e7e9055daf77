import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { oneEditApart } from "../src/generate/extractive.js";
import { Rag } from "../src/rag.js";
import { textUnits } from "../src/text/sentences.js";
import { tempDir } from "./helpers/fs.js";

const DOCS = path.join(import.meta.dirname, "fixtures", "fastify-docs");
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

// Pieces a Markdown paragraph is made of, several with sentence punctuation that is not a sentence end.
const INLINE = [
  "`if (!x) return`",
  "`a.b()`",
  "[the docs](../Reference/Routes.md#route-prefixing)",
  "https://example.com/a.b?c=d!",
  "e.g. this",
];
const WORDS = ["The server starts.", "It listens on a port!", "Is it fast?", "Plain words", "and more words"];

describe("Markdown-aware text units", () => {
  it("never end a unit inside inline code, a link or a URL; units are ordered and within the text", () => {
    const paragraph = fc.array(fc.constantFrom(...INLINE, ...WORDS), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(" "));
    const block = fc.oneof(
      paragraph,
      paragraph.map((p) => `- ${p}`),
      fc.constant("```js\nconst a = 1. // not prose!\n```"),
      fc.constant("## A heading"),
    );
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 6 }), fc.constantFrom("\n", "\n\n"), (blocks, gap) => {
        const text = blocks.join(gap);
        const units = textUnits(text);
        const protectedSpans = [...text.matchAll(/`[^`\n]*`|\[[^\]]*\]\([^)\s]*\)|https?:\/\/\S+|e\.g\./g)].map((m) => [
          m.index,
          m.index + m[0].length,
        ]);
        let last = 0;
        for (const u of units) {
          expect(u.start).toBeGreaterThanOrEqual(last);
          expect(u.end).toBeLessThanOrEqual(text.length);
          last = u.end;
          for (const [s, e] of protectedSpans)
            expect(u.end > (s as number) && u.end < (e as number), text.slice(u.start, u.end)).toBe(false);
        }
        // Code is never read as prose sentences.
        for (const u of units.filter((x) => x.kind === "sentence")) expect(text.slice(u.start, u.end)).not.toContain("```");
      }),
      { numRuns: RUNS },
    );
  });

  it("a sentence ending in ':' carries the code block or list it introduces", () => {
    const text = "Register it like this:\n\n```js\nfastify.register(plugin)\n```\n\nThen:\n- one\n- two\n\nDone.";
    const units = textUnits(text);
    const lead = units.find((u) => text.slice(u.start, u.end) === "Register it like this:");
    expect(lead && text.slice(lead.start, lead.followEnd)).toBe("Register it like this:\n\n```js\nfastify.register(plugin)\n```");
    const then = units.find((u) => text.slice(u.start, u.end) === "Then:");
    expect(then && text.slice(then.start, then.followEnd)).toBe("Then:\n- one\n- two");
  });

  it("a chunk cut inside a code fence does not quote the code as sentences", () => {
    const text = "  reply.send({ hello: 'world' })\n})\n```\n\nThe route answers with JSON.";
    const sentences = textUnits(text).filter((u) => u.kind === "sentence");
    expect(sentences.map((u) => text.slice(u.start, u.end))).toEqual(["The route answers with JSON."]);
  });

  it("front matter and MDX module lines are not prose; text inside components is marked as nested", () => {
    const text = [
      "---",
      "title: Error Handling",
      "description: How errors are caught.",
      "---",
      "",
      "import Alert from '@components/Alert.astro';",
      "",
      "Express catches errors for you.",
      "",
      "<Signature>",
      '  <Param name="status">',
      "    The HTTP status code to use.",
      "  </Param>",
      "</Signature>",
      "",
      "Redirects to the URL.",
    ].join("\n");
    const units = textUnits(text).map((u) => [u.kind, text.slice(u.start, u.end), u.nested === true]);
    expect(units).toEqual([
      ["meta", text.slice(0, text.indexOf("---\n\n") + 3), false],
      ["code", "import Alert from '@components/Alert.astro';", false],
      ["sentence", "Express catches errors for you.", false],
      ["sentence", "The HTTP status code to use.", true],
      ["sentence", "Redirects to the URL.", false],
    ]);
  });

  it("one-edit typos are recognised, other words are not", () => {
    expect(oneEditApart("timeuot", "timeout")).toBe(true);
    expect(oneEditApart("dusquesn", "duquesn")).toBe(true);
    expect(oneEditApart("affext", "affect")).toBe(true);
    expect(oneEditApart("plugin", "plugins2")).toBe(false);
    expect(oneEditApart("server", "server")).toBe(false);
  });
});

const ABSTRACTS = [
  "Separation anxiety in children is common between eight months and three years. It is caused by the child's growing awareness that a caregiver can leave.",
  "Children with separation anxiety disorder fear being apart from their parents. Cognitive behavioural therapy helps most children.",
  "School refusal in children is often linked to separation anxiety and to bullying.",
  "Sleep problems in children include night terrors, which peak between ages three and seven.",
  "Thyroid function tests in adults: hyperthyroidism was found in 2% of patients screened for atrial fibrillation.",
  "Type 1 diabetes in children is caused by autoimmune destruction of insulin-producing cells.",
  "Asthma in children is triggered by viral infections, allergens and cold air.",
  "Childhood obesity is driven by diet, inactivity and short sleep.",
];

async function medicalIndex(): Promise<Rag> {
  const dir = await tempDir();
  await Promise.all(ABSTRACTS.map((text, i) => writeFile(path.join(dir, `abstract-${i}.txt`), text)));
  const rag = await Rag.open({ dir: path.join(await tempDir(), "index") });
  await rag.ingest([dir]);
  return rag;
}

describe("extractive answers", () => {
  it("says nothing relevant was found when no passage covers the question's specific terms", async () => {
    const rag = await medicalIndex();
    try {
      const none = await rag.ask("What causes hyperthyroidism in children?");
      expect(none.grounded).toBe(false);
      expect(none.citations).toEqual([]);
      const some = await rag.ask("What causes separation anxiety in children?");
      expect(some.grounded).toBe(true);
      expect(some.text).toContain("growing awareness that a caregiver can leave");
    } finally {
      await rag.close();
    }
  });

  it("answers from the best section of Markdown docs, shows its heading path, never quotes a copy twice", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, "v4"));
    await mkdir(path.join(dir, "v5"));
    for (const version of ["v4", "v5"]) {
      for (const file of ["Server.md", "Logging.md", "Hooks.md"])
        await copyFile(path.join(DOCS, "Reference", file), path.join(dir, version, file));
    }
    const rag = await Rag.open({ dir: path.join(await tempDir(), "index") });
    try {
      await rag.ingest([dir]);
      const answer = await rag.ask("What is the default body size limit?");
      expect(answer.grounded).toBe(true);
      expect(answer.text).toContain("`1048576` (1MiB)");
      expect(answer.text.startsWith("**Factory › `bodyLimit`**")).toBe(true);
      const quotes = answer.citations.map((c) => c.quote.replace(/\s+/g, " "));
      expect(new Set(quotes).size).toBe(quotes.length);
      for (const c of answer.citations) {
        expect((await readFile(c.source, "utf8")).slice(c.start, c.end)).toBe(c.quote);
        expect(c.headings).toEqual(["Factory", "`bodyLimit`"]);
      }
      // A typo in the question's rarest word still finds the passage.
      const typo = await rag.ask("What is the default keep-alive timeuot?");
      expect(typo.text).toContain("72000");
    } finally {
      await rag.close();
    }
  });
});

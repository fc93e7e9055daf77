import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MarkdownChunker, RecursiveChunker } from "../src/chunk/index.js";
import { markdownSections } from "../src/chunk/markdown.js";
import { countTokens } from "../src/chunk/tokens.js";
import { makeDocument } from "../src/load/document.js";
import { fuzzRuns } from "./helpers/fuzz.js";

const words = fc.array(
  fc.constantFrom(
    "alpha",
    "beta",
    "gamma",
    "délta",
    "ε",
    "🙂",
    "x".repeat(30),
    "end.",
    "stop!",
    "\n",
    "\n\n",
    "  ",
    "# Head",
    "- item",
    "```",
  ),
  {
    maxLength: 400,
  },
);
const text = words.map((w) => w.join(" "));

function coveredNonSpace(source: string, chunks: Array<{ start: number; end: number }>): boolean {
  const covered = new Uint8Array(source.length);
  for (const c of chunks) covered.fill(1, c.start, c.end);
  for (let i = 0; i < source.length; i++) if (!covered[i] && !/\s/.test(source[i] as string)) return false;
  return true;
}

describe("chunkers", () => {
  for (const [name, make] of [
    ["recursive", (size: number, overlap: number) => new RecursiveChunker({ size, overlap })],
    ["markdown", (size: number, overlap: number) => new MarkdownChunker({ size, overlap })],
  ] as const) {
    it(`${name}: offsets are exact, sizes bounded, every word covered, order kept`, () => {
      fc.assert(
        fc.property(text, fc.integer({ min: 8, max: 64 }), fc.integer({ min: 0, max: 7 }), (source, size, overlap) => {
          const doc = makeDocument({ source: "/x.md", text: source, metadata: { structure: "markdown" } });
          const chunks = make(size, overlap).chunk(doc);
          for (const [i, c] of chunks.entries()) {
            expect(doc.text.slice(c.start, c.end)).toBe(c.text);
            expect(c.text.trim()).toBe(c.text);
            expect(c.text.length).toBeGreaterThan(0);
            expect(c.index).toBe(i);
            expect(c.id).toBe(`${doc.id}#${i}`);
            // Packing sums span counts, which can differ from the joined count by a token per seam.
            expect(countTokens(c.text)).toBeLessThanOrEqual(size + Math.ceil(size / 4));
            if (i > 0) expect(c.start).toBeGreaterThanOrEqual((chunks[i - 1] as { start: number }).start);
          }
          expect(coveredNonSpace(source, chunks)).toBe(true);
        }),
        { numRuns: fuzzRuns(1_000) },
      );
    });
  }

  it("chunks are the same whether or not a short range skips the tokenizer", () => {
    // The same o200k counter under another function identity counts every range: the reference.
    const counted = { id: "o200k", count: (t: string) => countTokens(t) };
    // A digit between punctuation is a token per byte: ranges right at the byte bound.
    const dense = fc.string({ unit: fc.constantFrom("1,", "2.", "3;", "4-", "5!", "é", "語", "🙂", " ", "\n"), maxLength: 60 });
    const cases = fc.oneof(
      fc.tuple(text, fc.integer({ min: 8, max: 600 })),
      fc.tuple(
        fc.oneof(
          dense,
          text.map((s) => s.slice(0, 200)),
        ),
        fc.integer({ min: 8, max: 80 }),
      ),
    );
    fc.assert(
      fc.property(cases, fc.integer({ min: 0, max: 7 }), ([source, size], overlap) => {
        const doc = makeDocument({ source: "/x.md", text: source, metadata: { structure: "markdown" } });
        for (const Chunker of [RecursiveChunker, MarkdownChunker]) {
          const fast = new Chunker({ size, overlap }).chunk(doc);
          const exact = new Chunker({ size, overlap, tokenizer: counted }).chunk(doc);
          expect(fast.map((c) => [c.start, c.end])).toEqual(exact.map((c) => [c.start, c.end]));
        }
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it("overlap repeats the end of one chunk at the start of the next", () => {
    const source = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} is here.`).join(" ");
    const chunks = new RecursiveChunker({ size: 40, overlap: 12 }).chunk(makeDocument({ source: "/a.txt", text: source }));
    expect(chunks.length).toBeGreaterThan(3);
    for (let i = 1; i < chunks.length; i++) {
      expect((chunks[i] as { start: number }).start).toBeLessThan((chunks[i - 1] as { end: number }).end);
    }
    const without = new RecursiveChunker({ size: 40, overlap: 0 }).chunk(makeDocument({ source: "/a.txt", text: source }));
    for (let i = 1; i < without.length; i++) {
      expect((without[i] as { start: number }).start).toBeGreaterThanOrEqual((without[i - 1] as { end: number }).end);
    }
  });

  it("splits at paragraph boundaries before sentences and words", () => {
    const para = (n: number) => Array.from({ length: 8 }, (_, i) => `Paragraph ${n} sentence ${i}.`).join(" ");
    const source = [para(1), para(2), para(3)].join("\n\n");
    const chunks = new RecursiveChunker({ size: 60, overlap: 0 }).chunk(makeDocument({ source: "/p.txt", text: source }));
    expect(chunks.map((c) => c.text)).toEqual([para(1), para(2), para(3)]);
  });

  it("a huge single line is cut without hanging and without losing text", () => {
    const source = "word ".repeat(200_000).trim();
    const chunks = new RecursiveChunker({ size: 256, overlap: 0 }).chunk(makeDocument({ source: "/big.txt", text: source }));
    expect(chunks.length).toBeGreaterThan(300);
    expect(coveredNonSpace(source, chunks)).toBe(true);
  });

  it("markdown chunks carry their heading path and never cross a heading", () => {
    const source =
      "# Guide\n\nIntro text.\n\n## Install\n\nRun npm install.\n\n```\n# not a heading\n```\n\n### Linux\n\nUse apt.\n\n## Usage\n\nCall it.";
    const doc = makeDocument({ source: "/g.md", title: "Guide", text: source, metadata: { structure: "markdown" } });
    const chunks = new MarkdownChunker({ size: 200, overlap: 0 }).chunk(doc);
    expect(chunks.map((c) => c.metadata.headings)).toEqual([
      ["Guide"],
      ["Guide", "Install"],
      ["Guide", "Install", "Linux"],
      ["Guide", "Usage"],
    ]);
    expect(chunks[1]?.text).toContain("# not a heading");
    expect(chunks[2]?.contextText).toBe("Guide > Install > Linux\n\n### Linux\n\nUse apt.");
    expect(markdownSections(source).map((s) => s.headings.at(-1))).toEqual(["Guide", "Install", "Linux", "Usage"]);
  });
});

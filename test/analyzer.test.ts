import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze, analyzeUnicode } from "../src/text/analyzer.js";

describe("lexical analyzer", () => {
  it("stems, folds case and accents, and drops stop words", () => {
    expect(analyze("The Rotating of KEYS")).toEqual(["rotat", "key"]);
    expect(analyze("Café résumé")).toEqual(analyze("cafe resume"));
    expect(analyze("what is it about")).toEqual([]);
    expect(analyze("version 2 of 10")).toEqual(["version", "2", "10"]);
  });

  it("never throws and only emits non-empty space-free terms", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (s) => {
        for (const term of analyze(s)) {
          expect(term.length).toBeGreaterThan(0);
          expect(/\s/.test(term)).toBe(false);
        }
      }),
    );
  });

  it("gives ASCII text the same terms on its fast path as the general path gives", () => {
    // Words, stop words, digits, single letters, punctuation and control characters, mixed case.
    const piece = fc.oneof(
      fc.constantFrom("The", "of", "KEYS", "rotating", "a", "I", "x", "7", "U.S.", "don't", "e-mail", "v2", "C++", "3.14"),
      fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.constantFrom(" ", "", "\n", "-", "_"), (pieces, gap) => {
        const text = pieces.join(gap);
        expect(analyze(text)).toEqual(analyzeUnicode(text));
      }),
      { numRuns: 500 },
    );
  });
});

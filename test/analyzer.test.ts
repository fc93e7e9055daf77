import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze } from "../src/text/analyzer.js";

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
});

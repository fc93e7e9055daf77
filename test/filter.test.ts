import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchingDocumentIds } from "../src/retrieve/filter.js";
import { DocumentIndex } from "../src/store/document-index.js";
import type { DocumentSummary } from "../src/store/types.js";
import type { Metadata, SearchFilter } from "../src/types.js";

const KEYS = ["group", "lang", "year", "tags"];
const scalar = fc.oneof(fc.constantFrom("a", "b", "1", "true", ""), fc.integer({ min: 0, max: 3 }), fc.boolean());
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.constant(null));
const documents = fc.array(fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 4 }), { maxLength: 40 }).map((all) =>
  all.map(
    (metadata, i): DocumentSummary => ({
      id: `d${i}`,
      source: `docs/${i % 3 === 0 ? "guide" : "api"}/d${i}.md`,
      contentHash: `h${i}`,
      chunkerKey: "c",
      metadata: metadata as DocumentSummary["metadata"],
      chunkCount: 1,
      chars: 10,
      updatedAt: 0,
    }),
  ),
);
const filter: fc.Arbitrary<SearchFilter> = fc.record(
  {
    metadata: fc.dictionary(fc.constantFrom(...KEYS), scalar, { minKeys: 1, maxKeys: 2 }),
    documentId: fc.oneof(fc.constantFrom("d1", "d7", "missing"), fc.array(fc.constantFrom("d0", "d3", "d9", "d39"), { maxLength: 3 })),
    source: fc.constantFrom("docs/guide/**", "**/*.md"),
  },
  { requiredKeys: [] },
);

describe("filters", () => {
  it("narrowing through the document index allows exactly the documents a full pass allows", () => {
    fc.assert(
      fc.property(documents, filter, (all, wanted) => {
        const index = new DocumentIndex(all);
        expect(matchingDocumentIds(index.narrow(wanted), wanted)).toEqual(matchingDocumentIds(all, wanted));
      }),
      { numRuns: 500 },
    );
  });

  it("an array value holds each element; numbers and booleans match their spelling", () => {
    const metadata: Metadata[] = [{ tags: ["x", "2"] }, { tags: "x", year: 2024 }, { year: "2024", draft: false }];
    const docs = metadata.map(
      (m, i): DocumentSummary => ({
        id: `d${i}`,
        source: `d${i}.md`,
        contentHash: "",
        chunkerKey: "",
        chunkCount: 1,
        chars: 1,
        updatedAt: 0,
        metadata: m,
      }),
    );
    const index = new DocumentIndex(docs);
    const ids = (f: SearchFilter) => matchingDocumentIds(index.narrow(f), f);
    expect(ids({ metadata: { tags: "x" } })).toEqual(["d0", "d1"]);
    expect(ids({ metadata: { tags: 2 } })).toEqual(["d0"]);
    expect(ids({ metadata: { year: 2024 } })).toEqual(["d1", "d2"]);
    expect(ids({ metadata: { draft: "false" } })).toEqual(["d2"]);
    expect(ids({ metadata: { year: 2024, tags: "x" } })).toEqual(["d1"]);
    expect(ids({ metadata: { nothing: "x" } })).toEqual([]);
  });
});

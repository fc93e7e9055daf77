import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { HashEmbedder } from "../scripts/scale/hash-embedder.js";
import { syntheticDocument } from "../scripts/scale/text.js";
import { Rag } from "../src/rag.js";
import { tempDir } from "./helpers/fs.js";

// Issue #10's report: through the public API, in calls of 10,000 short documents, the process hung
// after 40,000; once that was fixed, LanceDB 0.31's `optimize()` hung for good at 150,000 (every
// thread parked inside the compaction that folds new rows into the ANN and FTS indexes; 0.37.1
// does not). A call that never returns fails here (the watchdog) instead of stalling the suite.
// The suite's run goes past the first hang and the ANN index's first build (50,000 rows);
// `npm run test:scale` is the long run past the second (160,000 documents, ~3 minutes).
const TOTAL = Number(process.env.RAGKIT_SCALE_TEST_DOCS ?? 60_000);
const CALL = 10_000;

async function withinMinutes<T>(minutes: number, what: string, work: Promise<T>): Promise<T> {
  const watchdog = sleep(minutes * 60_000, undefined, { ref: false }).then(() => {
    throw new Error(`${what} did not return within ${minutes} minutes`);
  });
  return Promise.race([work, watchdog]);
}

describe("ingest at scale through the library", () => {
  it(
    `${TOTAL} documents in calls of ${CALL}: every call returns, each document once; re-ingest embeds nothing; updates and filters work`,
    async () => {
      const rag = await Rag.open({ dir: await tempDir(), embedder: new HashEmbedder(384) });
      try {
        for (let at = 0; at < TOTAL; at += CALL) {
          const docs = Array.from({ length: CALL }, (_, i) => syntheticDocument(at + i));
          const report = await withinMinutes(3, `the ingest call at ${at} documents`, rag.ingest(docs));
          expect(report).toMatchObject({ added: CALL, failed: [] });
        }
        const stats = await rag.stats();
        expect(stats).toMatchObject({ documents: TOTAL, chunks: TOTAL });

        // Looked up by id, not by listing: unchanged documents are skipped, a changed one replaced.
        const again = Array.from({ length: 1000 }, (_, i) => syntheticDocument(20_000 + i));
        const changed = { ...again[0], text: "The harbour ferry timetable changed for the winter." } as (typeof again)[0];
        const report = await rag.ingest([changed, ...again.slice(1)]);
        expect(report).toMatchObject({ added: 0, updated: 1, unchanged: 999, chunksEmbedded: 1 });
        expect((await rag.getChunks(changed.id)).map((c) => c.text)).toEqual([changed.text]);
        expect((await rag.stats()).chunks).toBe(TOTAL);

        const hits = await rag.search("harbour ferry timetable", { k: 10, filter: { metadata: { group: "g3" } } });
        expect(hits.length).toBe(10);
        // syntheticDocument(n) is in group n % 10.
        for (const hit of hits) expect(Number(hit.chunk.documentId.slice(4)) % 10).toBe(3);
      } finally {
        await rag.close();
      }
    },
    15 * 60_000,
  );
});

import path from "node:path";
import { describe, expect, it } from "vitest";
import { runSoak } from "../scripts/proof/soak.js";
import { runStress } from "../scripts/proof/stress.js";
import { ROOT } from "./helpers/cli.js";

// Short versions of `npm run stress` and `npm run soak`; the long runs' figures are in the README.
describe("proof scripts (short CI runs)", () => {
  it("stress: three CLI writers, API uploads and a polling reader on one served index: no 5xx, no duplicate, nothing missing", async () => {
    const r = await runStress({ files: 15, writers: 3, seed: 3 });
    expect(r.otherFailures).toEqual([]);
    expect(r.errors5xx).toBe(0);
    expect(r.requests).toBeGreaterThan(10);
    expect(r.writersOk).toBe(r.writers);
    expect(r.doctorOk).toBe(true);
    expect(r.documents).toBe(r.expected);
  });

  it("soak: mixed search, ask and ingest traffic gets no error but documented 429/503s", async () => {
    const r = await runSoak({ seconds: 15, connections: 8, documents: 100, dataset: path.resolve(ROOT, "../shared/data/squad-1k") });
    expect(r.errors).toEqual([]);
    expect(r.byKind.search.count).toBeGreaterThan(20);
    expect(r.byKind.ask.count).toBeGreaterThan(5);
    expect(r.byKind.ingest.count).toBeGreaterThan(0);
  });
});

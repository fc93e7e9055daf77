import path from "node:path";
import { recallAt10, timed } from "./scale-measure.js";

/**
 * USearch (an HNSW library, when installed) on the very vectors the LanceDB index holds, streamed from its table:
 * the time to build it, its query latency on one thread, and its recall@10 against the same exact
 * scan that ragkit's dense search is measured against.
 */
export async function usearchPeer(
  dir: string,
  vectors: Float32Array[],
  queries: number,
  exact: (i: number) => Promise<string[]>,
): Promise<void> {
  // A native library that builds on install: not a dependency, measured when present.
  const loaded = await import("usearch" as string).catch(() => undefined);
  if (!loaded) {
    console.log("usearch HNSW      not measured: `npm install --no-save usearch@2.26.2 && npm rebuild usearch` to include it");
    return;
  }
  const usearch = loaded.default as unknown as {
    Index: new (config: {
      dimensions: number;
      metric: string;
      connectivity: number;
      expansion_search: number;
    }) => {
      add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
      search(vector: Float32Array, k: number, threads: number): { keys: BigUint64Array };
      size(): number;
    };
  };
  const lancedb = await import("@lancedb/lancedb");
  const db = await lancedb.connect(path.join(dir, "lance"));
  const table = await db.openTable("chunks");
  const dimensions = (vectors[0] as Float32Array).length;
  const index = new usearch.Index({ dimensions, metric: "cos", connectivity: 16, expansion_search: 200 });
  const ids: string[] = [];
  const started = performance.now();
  for await (const batch of table.query().select(["id", "vector"])) {
    const column = batch.getChild("id");
    const vectorColumn = batch.getChild("vector");
    const flat = new Float32Array(batch.numRows * dimensions);
    const keys = new BigUint64Array(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) {
      flat.set(vectorColumn?.get(r).toArray() as Float32Array, r * dimensions);
      keys[r] = BigInt(ids.length);
      ids.push(column?.get(r) as string);
    }
    index.add(keys, flat, 0);
  }
  const buildSeconds = (performance.now() - started) / 1000;
  table.close();
  db.close();
  const search = async (i: number) => Array.from(index.search(vectors[i] as Float32Array, 10, 1).keys, (k) => ids[Number(k)] as string);
  console.log(
    `usearch HNSW      ${await timed(queries, search)}  (built in ${buildSeconds.toFixed(0)} s on both cores, ef 200, one thread per query)`,
  );
  console.log(`usearch recall@10 ${(await recallAt10(queries, exact, search)).toFixed(3)} of exact search`);
}

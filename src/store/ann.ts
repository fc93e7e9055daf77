/** How dense search gets an approximate index, for every store that builds one. */
export interface AnnOptions {
  /** Chunks past which the vector index is built; 0 never. */
  minRows: number;
  /**
   * IVF partitions searched per query, at least (HNSW's ef is ten times this); more as the index
   * grows (`probeCount`): a fixed 20 probed 2% of a million chunks' partitions (recall@10 0.917).
   */
  probes: number;
  /** Candidates re-scored with full-precision vectors: this × 10, or k if more (LanceDB). */
  refine: number;
}

// refine 10: RaBitQ's one-bit codes rank coarsely, so the top 10 is re-scored from 100 candidates at full precision.
export const DEFAULT_ANN: AnnOptions = { minRows: 50_000, probes: 20, refine: 10 };

/**
 * IVF partitions a query probes in a table of `rows` chunks (the index has √rows partitions):
 * `probes`, or more as the table grows. A fixed share fits no size: at 100,000 chunks (316
 * partitions) 26 probes gave recall@10 0.894 and 60 gave 0.962. At a million (1,000) it depends on
 * how the index was built: grown by doubling, 79–80 probes gave 0.949–0.956; built once over the
 * million (one ingest call), 84 gave 0.916, 110 0.940, 130 0.947 and 150 0.956. 0.6 · rows^0.4
 * (61 and 151) fits both sizes; below ~130,000 chunks 15 · rows^⅛ asks more, and that stays.
 */
export function probeCount(options: AnnOptions, rows: number): number {
  return Math.max(options.probes, Math.ceil(15 * rows ** 0.125), Math.ceil(0.6 * rows ** 0.4));
}

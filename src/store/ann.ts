/** How dense search gets an approximate index, for every store that builds one. */
export interface AnnOptions {
  /** Chunks past which the vector index is built; 0 never. */
  minRows: number;
  /** IVF partitions searched per query (HNSW's ef is ten times this). */
  probes: number;
  /** Candidates re-scored with full-precision vectors: this × 10, or k if more (LanceDB). */
  refine: number;
}

// refine 10: RaBitQ's one-bit codes rank coarsely; re-scoring 100 candidates at full precision gives recall@10 0.987 at 100,000 chunks.
export const DEFAULT_ANN: AnnOptions = { minRows: 50_000, probes: 20, refine: 10 };

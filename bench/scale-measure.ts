/** The p-th percentile of values sorted ascending. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Milliseconds of `count` runs, sorted, after five for warm-up. */
export async function sortedTimes(count: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await run(count + i);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

/** p50 and p95 of `count` runs, after five for warm-up. */
export async function timed(count: number, run: (i: number) => Promise<unknown>): Promise<string> {
  const times = await sortedTimes(count, run);
  return `p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms`;
}

/** The share of the exact top 10 that `search` finds, averaged over the queries. */
export async function recallAt10(
  queries: number,
  exact: (i: number) => Promise<string[]>,
  search: (i: number) => Promise<string[]>,
): Promise<number> {
  let recall = 0;
  for (let i = 0; i < queries; i++) {
    const truth = new Set(await exact(i));
    recall += (await search(i)).filter((id) => truth.has(id)).length / 10;
  }
  return recall / queries;
}

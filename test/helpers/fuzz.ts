/** Cases per property: 1,000 in `npm test`, FUZZ_RUNS (10,000 with `npm run fuzz`) for the long run. */
export function fuzzRuns(base = 1_000): number {
  const wanted = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(wanted) && wanted > 0 ? wanted : base;
}

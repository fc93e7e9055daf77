/** Cohen's kappa for two raters over the same items: (observed − chance agreement) / (1 − chance). */
export function cohensKappa(pairs: Array<[string | number, string | number]>): number | null {
  if (pairs.length === 0) return null;
  const n = pairs.length;
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    if (String(x) === String(y)) agree++;
    a.set(String(x), (a.get(String(x)) ?? 0) + 1);
    b.set(String(y), (b.get(String(y)) ?? 0) + 1);
  }
  const observed = agree / n;
  let chance = 0;
  for (const [label, count] of a) chance += (count / n) * ((b.get(label) ?? 0) / n);
  if (chance === 1) return observed === 1 ? 1 : 0;
  return (observed - chance) / (1 - chance);
}

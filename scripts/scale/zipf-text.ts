import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Synthetic documents whose words follow Zipf's law over a real vocabulary: the 4,000-odd words of
 * the Markdown docs in test/fixtures, ranked by how often they occur there. Real text looks like
 * this (a few very common words, a long tail of rare ones), so lexical search sees postings lists
 * of realistic lengths; `syntheticDocument` (text.ts) is the worst case, where every word is common.
 */
const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const EXPONENT = 1.0;
let vocabulary: { words: string[]; cumulative: Float64Array } | undefined;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.mdx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function loadVocabulary(): { words: string[]; cumulative: Float64Array } {
  const counts = new Map<string, number>();
  for (const file of markdownFiles(FIXTURES))
    for (const word of readFileSync(file, "utf8")
      .toLowerCase()
      .match(/[a-z]{3,}/g) ?? [])
      counts.set(word, (counts.get(word) ?? 0) + 1);
  // Ties broken by spelling, so the ranking (and every document) is the same on every machine.
  const words = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  for (let r = 0; r < words.length; r++) cumulative[r] = sum += 1 / (r + 1) ** EXPONENT;
  cumulative.forEach((c, r) => {
    cumulative[r] = c / sum;
  });
  return { words, cumulative };
}

function pick(u: number, cumulative: Float64Array): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Document n: a title and three sentences of Zipf-distributed words, the same for the same n. */
export function zipfDocument(n: number): { id: string; source: string; title: string; text: string; metadata: { group: string } } {
  vocabulary ??= loadVocabulary();
  const { words, cumulative } = vocabulary;
  let h = ((n + 1) * 2654435761) >>> 0 || 1;
  const uniform = () => {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    return (h >>> 0) / 2 ** 32;
  };
  const word = () => words[pick(uniform(), cumulative)] as string;
  const sentence = () => {
    const length = 8 + Math.floor(uniform() * 8);
    return `${Array.from({ length }, word).join(" ")}.`.replace(/^./, (c) => c.toUpperCase());
  };
  return {
    id: `doc-${n}`,
    source: `synthetic://${n}`,
    title: `${word()} ${word()} ${n}`,
    text: `${sentence()} ${sentence()} ${sentence()}`,
    metadata: { group: `g${n % 10}` },
  };
}

import { eng } from "stopword";
import porter2 from "wink-porter2-stemmer";

/**
 * Lexical analysis for BM25: Unicode-aware word split, accent folding, lower case, English stop
 * words out, Porter2 stems. The lexical index stores the analysed terms, so the same function
 * must run at ingest and at query time; bump ANALYZER_VERSION when its output changes.
 */
export const ANALYZER_VERSION = "en-porter2-v1";

const STOP_WORDS = new Set<string>(eng);
const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
// Long tokens are hashes, base64 or minified code: they never match a query and bloat the index.
const MAX_TERM_LENGTH = 40;

const stemCache = new Map<string, string>();

function stem(word: string): string {
  let stemmed = stemCache.get(word);
  if (stemmed === undefined) {
    stemmed = /^\p{N}+$/u.test(word) ? word : porter2(word);
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(word, stemmed);
  }
  return stemmed;
}

export function analyze(text: string): string[] {
  const folded = text.normalize("NFKD").replace(MARKS, "").toLowerCase();
  const terms: string[] = [];
  for (const match of folded.matchAll(WORD)) {
    const word = match[0];
    if (word.length > MAX_TERM_LENGTH || STOP_WORDS.has(word)) continue;
    // Single letters left over from "don't" or "U.S." carry no meaning but digits do.
    if (word.length === 1 && !/\p{N}/u.test(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

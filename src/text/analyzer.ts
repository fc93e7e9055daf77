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
const ASCII = /^\p{ASCII}*$/u;
const ASCII_GAP = /[^a-z0-9]+/;
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
  // ASCII needs no folding, and its words are exactly [a-z0-9]+ once lower-cased: that common case
  // skips Unicode normalisation, and splitting costs half what matching does.
  if (!ASCII.test(text)) return analyzeUnicode(text);
  const terms: string[] = [];
  for (const word of text.toLowerCase().split(ASCII_GAP)) if (word !== "") keep(word, terms);
  return terms;
}

/** The general path, for any text; exported so tests can hold the ASCII path to it. */
export function analyzeUnicode(text: string): string[] {
  const terms: string[] = [];
  const folded = text.normalize("NFKD").replace(MARKS, "").toLowerCase();
  for (const match of folded.matchAll(WORD)) keep(match[0], terms);
  return terms;
}

function keep(word: string, terms: string[]): void {
  if (word.length > MAX_TERM_LENGTH || STOP_WORDS.has(word)) return;
  // Single letters left over from "don't" or "U.S." carry no meaning but digits do.
  if (word.length === 1 && !/\p{N}/u.test(word)) return;
  terms.push(stem(word));
}

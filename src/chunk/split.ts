import type { Chunk, Document, Metadata } from "../types.js";
import { countTokens } from "./tokens.js";

/** A half-open character range [start, end) of a document's text, with its token count (an upper bound for a range that fits whole). */
export interface Span {
  start: number;
  end: number;
  tokens: number;
}

// Coarse to fine: paragraphs, lines, sentences, words. A cut goes after the separator, so the
// separator stays with the text before it and spans tile the range exactly.
const SEPARATORS: RegExp[] = [/\n[ \t]*\n\s*/g, /\n/g, /[.!?。！？]["'”’)\]]*\s+/g, /[;:,]\s+/g, /\s+/g];

// A token is rarely longer than 16 characters, so a longer range surely exceeds the budget and
// can be split without counting it (which matters for multi-megabyte single-line files).
const CHARS_PER_TOKEN_BOUND = 16;

function cuts(text: string, start: number, end: number, separator: RegExp): number[] {
  const out: number[] = [];
  // Scanning only this range keeps splitting linear in the document length.
  const part = text.slice(start, end);
  separator.lastIndex = 0;
  for (let m = separator.exec(part); m !== null; m = separator.exec(part)) {
    if (m[0].length === 0) separator.lastIndex++;
    const at = start + m.index + m[0].length;
    if (at > start && at < end) out.push(at);
  }
  return out;
}

/** Counts tokens; o200k unless the embedder brings its own tokenizer. */
export type CountTokens = (text: string) => number;

function hardSplit(text: string, start: number, end: number, size: number, out: Span[], count: CountTokens): void {
  // No separator left (one enormous word): cut by characters, shrinking until the budget holds.
  let at = start;
  while (at < end) {
    let width = Math.min(end - at, size * 4);
    let tokens = count(text.slice(at, at + width));
    while (tokens > size && width > 1) {
      width = Math.max(1, Math.floor(width / 2));
      tokens = count(text.slice(at, at + width));
    }
    // Never cut a surrogate pair in half.
    const code = text.charCodeAt(at + width - 1);
    if (code >= 0xd800 && code <= 0xdbff && at + width < end) width++;
    out.push({ start: at, end: at + width, tokens });
    at += width;
  }
}

function splitRange(text: string, start: number, end: number, level: number, size: number, out: Span[], count: CountTokens): void {
  if (end - start <= size * CHARS_PER_TOKEN_BOUND) {
    const tokens = count(text.slice(start, end));
    if (tokens <= size) {
      out.push({ start, end, tokens });
      return;
    }
  }
  for (let i = level; i < SEPARATORS.length; i++) {
    const positions = cuts(text, start, end, SEPARATORS[i] as RegExp);
    if (positions.length === 0) continue;
    let previous = start;
    for (const position of [...positions, end]) {
      splitRange(text, previous, position, i + 1, size, out, count);
      previous = position;
    }
    return;
  }
  hardSplit(text, start, end, size, out, count);
}

/** Cuts [start, end) into spans of at most `size` tokens at the coarsest separator that works. */
export function atomize(text: string, start: number, end: number, size: number, count: CountTokens = countTokens): Span[] {
  const out: Span[] = [];
  if (end <= start) return out;
  // A byte-level BPE token (o200k) covers at least one UTF-8 byte, so a range of at most `size`
  // bytes fits whole without counting: the tokenizer was 1/3 of ingest's own JavaScript for short
  // documents. Its one span is one window whatever its count, so `tokens` may be the byte bound.
  if (count === countTokens && end - start <= size) {
    const bytes = Buffer.byteLength(text.slice(start, end));
    if (bytes <= size) return [{ start, end, tokens: bytes }];
  }
  splitRange(text, start, end, 0, size, out, count);
  return out;
}

/**
 * Packs consecutive spans into windows of at most `size` tokens, each window starting with up to
 * `overlap` tokens of the previous one, and trims whitespace at the edges.
 */
export function pack(text: string, spans: Span[], size: number, overlap: number): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  let i = 0;
  while (i < spans.length) {
    let j = i;
    let total = 0;
    while (j < spans.length && (j === i || total + (spans[j] as Span).tokens <= size)) {
      total += (spans[j] as Span).tokens;
      j++;
    }
    let start = (spans[i] as Span).start;
    let end = (spans[j - 1] as Span).end;
    while (start < end && /\s/.test(text[start] as string)) start++;
    while (end > start && /\s/.test(text[end - 1] as string)) end--;
    if (end > start) windows.push([start, end]);
    if (j >= spans.length) break;
    let k = j;
    let carried = 0;
    while (k - 1 > i && carried + (spans[k - 1] as Span).tokens <= overlap) {
      carried += (spans[k - 1] as Span).tokens;
      k--;
    }
    i = k;
  }
  return windows;
}

/**
 * Splits [start, end) of a document into chunks numbered from `firstIndex`, each with the context
 * prefix in front. The chunker's options and the range's context come apart, so no options object
 * is merged per document (a spread cost 5 µs of the chunker's 6 per short document).
 */
export function chunkRange(
  document: Document,
  range: { start: number; end: number },
  firstIndex: number,
  options: { size: number; overlap: number; tokenizer?: { count: CountTokens } },
  context: { prefix: string; metadata: Metadata },
): Chunk[] {
  const spans = atomize(document.text, range.start, range.end, options.size, options.tokenizer?.count);
  return pack(document.text, spans, options.size, options.overlap).map(([start, end], i) => {
    const text = document.text.slice(start, end);
    const index = firstIndex + i;
    return {
      id: `${document.id}#${index}`,
      documentId: document.id,
      text,
      start,
      end,
      index,
      metadata: context.metadata,
      contextText: context.prefix + text,
    };
  });
}

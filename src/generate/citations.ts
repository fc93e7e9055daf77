import { analyze } from "../text/analyzer.js";
import { sentenceSpans } from "../text/sentences.js";
import type { Citation } from "../types.js";
import type { Passage } from "./passages.js";

export interface ParsedCitations {
  citations: Citation[];
  /** Marker numbers in the answer that point to no passage. */
  dropped: number[];
}

const MARKER = /\[\s*(\d{1,4}(?:\s*(?:,|;|-|–)\s*\d{1,4})*)\s*\]/g;
const MAX_RANGE = 20;

function numbersIn(group: string): number[] {
  const out: number[] = [];
  for (const part of group.split(/\s*[,;]\s*/)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to >= from && to - from <= MAX_RANGE) for (let n = from; n <= to; n++) out.push(n);
      else out.push(from, to);
    } else if (/^\d+$/.test(part)) {
      out.push(Number(part));
    }
  }
  return out;
}

/** The answer text a marker backs: from the previous sentence end (or marker) up to the marker. */
function claimBefore(answer: string, at: number): string {
  const before = answer.slice(Math.max(0, at - 400), at);
  const cut = Math.max(before.lastIndexOf(". "), before.lastIndexOf("]"), before.lastIndexOf("\n"));
  return before.slice(cut + 1);
}

/** The sentence of the passage that shares the most terms with the claim; the whole passage if none does. */
function bestSpan(passage: Passage, claim: string): [number, number] {
  const wanted = new Set(analyze(claim));
  let best: [number, number] = [0, passage.text.length];
  let bestScore = 0;
  for (const [start, end] of sentenceSpans(passage.text)) {
    const terms = new Set(analyze(passage.text.slice(start, end)));
    let score = 0;
    for (const t of wanted) if (terms.has(t)) score++;
    if (score > bestScore) {
      bestScore = score;
      best = [start, end];
    }
  }
  return best;
}

/**
 * Maps the `[n]` markers of a model's answer back to the passages it was given. Any output is
 * accepted: malformed or out-of-range markers are dropped and reported, never thrown, and every
 * citation's quote is exactly the cited document text.
 */
export function parseCitations(answer: string, passages: Passage[]): ParsedCitations {
  const byMarker = new Map(passages.map((p) => [p.marker, p]));
  const citations: Citation[] = [];
  const seen = new Set<number>();
  const dropped = new Set<number>();
  for (const match of answer.matchAll(MARKER)) {
    for (const n of numbersIn(match[1] as string)) {
      const passage = byMarker.get(n);
      if (!passage) {
        dropped.add(n);
        continue;
      }
      if (seen.has(n)) continue;
      seen.add(n);
      const [from, to] = bestSpan(passage, claimBefore(answer, match.index));
      const start = passage.start + from;
      const end = passage.start + to;
      const chunk = passage.chunks.find((c) => c.start <= start && start < c.end) ?? passage.chunks[0];
      citations.push({
        marker: n,
        chunkId: chunk?.id ?? "",
        documentId: passage.documentId,
        source: passage.source,
        start,
        end,
        quote: passage.text.slice(from, to),
      });
    }
  }
  return { citations, dropped: [...dropped].sort((a, b) => a - b) };
}

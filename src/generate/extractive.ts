import { analyze } from "../text/analyzer.js";
import { sentenceSpans } from "../text/sentences.js";
import type { Answer, Citation, Hit } from "../types.js";

export interface ExtractiveOptions {
  maxSentences: number;
  /**
   * Earlier questions of a conversation: their terms help pick sentences, at a fraction of the
   * weight of the question itself, so a follow-up is answered about what it asks.
   */
  context?: string;
}

const CONTEXT_WEIGHT = 0.3;

export const EXTRACTIVE_MODEL = "ragkit-extractive";
export const NOT_FOUND = "I could not find anything in the indexed documents that answers this question.";

interface Candidate {
  hitRank: number;
  hit: Hit;
  /** Offsets into the chunk text. */
  start: number;
  end: number;
  score: number;
  matched: Set<string>;
}

function isHeading(sentence: string): boolean {
  return /^\s*(#{1,6}\s|\|?\s*-{3,})/.test(sentence);
}

/**
 * Answers without a language model: the sentences of the top passages that cover the most of the
 * question's terms (rarer terms count more), each cited with the exact span it came from. When no
 * sentence shares a content word with the question, it says so instead of guessing.
 */
export function answerExtractively(question: string, hits: Hit[], options: ExtractiveOptions): Answer {
  const ownTerms = new Set(analyze(question));
  const queryTerms = [...new Set([...ownTerms, ...analyze(options.context ?? "")])];
  const notFound: Answer = { text: NOT_FOUND, citations: [], hits, model: EXTRACTIVE_MODEL, grounded: false };
  if (queryTerms.length === 0 || hits.length === 0) return notFound;

  const candidates: Candidate[] = [];
  const documentFrequency = new Map<string, number>();
  hits.forEach((hit, hitRank) => {
    for (const [start, end] of sentenceSpans(hit.chunk.text)) {
      const sentence = hit.chunk.text.slice(start, end);
      if (isHeading(sentence)) continue;
      const terms = new Set(analyze(sentence));
      const matched = new Set(queryTerms.filter((t) => terms.has(t)));
      for (const t of matched) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
      candidates.push({ hitRank, hit, start, end, score: 0, matched });
    }
  });
  const total = candidates.length;
  // Terms found in few candidate sentences tell them apart; a term in all of them does not.
  const weight = (term: string) => Math.log(1 + total / (documentFrequency.get(term) ?? total)) * (ownTerms.has(term) ? 1 : CONTEXT_WEIGHT);
  const maxWeight = queryTerms.reduce((sum, t) => sum + weight(t), 0) || 1;
  for (const c of candidates) {
    const coverage = [...c.matched].reduce((sum, t) => sum + weight(t), 0) / maxWeight;
    const words = c.end - c.start;
    // Prefer sentences from better-ranked passages, and penalise fragments too short to say anything.
    c.score = coverage + 0.15 / (1 + c.hitRank) - (words < 25 ? 0.1 : 0);
  }
  const ranked = candidates.filter((c) => c.matched.size > 0).sort((a, b) => b.score - a.score);
  const best = ranked[0];
  if (!best) return notFound;

  const chosen = ranked.filter((c) => c.score >= best.score * 0.6).slice(0, options.maxSentences);
  // Read in document order within a passage, passages in rank order.
  chosen.sort((a, b) => a.hitRank - b.hitRank || a.start - b.start);
  const citations: Citation[] = [];
  const parts: string[] = [];
  for (const c of chosen) {
    const chunk = c.hit.chunk;
    const start = chunk.start + c.start;
    const end = chunk.start + c.end;
    const quote = chunk.text.slice(c.start, c.end);
    const marker = citations.length + 1;
    citations.push({ marker, chunkId: chunk.id, documentId: chunk.documentId, source: chunk.source, start, end, quote });
    parts.push(`${quote.replace(/\s+/g, " ")} [${marker}]`);
  }
  return { text: parts.join(" "), citations, hits, model: EXTRACTIVE_MODEL, grounded: true };
}

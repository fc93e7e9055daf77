import type { Hit } from "../types.js";
import { type Candidate, unitTerms } from "./extractive-units.js";

const CONTEXT_WEIGHT = 0.3;

/** The terms an extractive answer matches a question on (identifiers split into their words). */
export const questionTerms = unitTerms;
/** Document frequencies are counted up to this many chunks; more is "common". */
export const TERM_DF_CAP = 100;

export interface Weights {
  /** The question's own terms (not the conversation's) that the index holds. */
  own: Set<string>;
  of(term: string): number;
  total: number;
  /** The most specific question term the index holds: an answer must contain it. */
  required?: string;
}

/** A term holding at least this share of the question's weight is what it is about: the answer must contain it. */
const DOMINANT = 0.5;
/** A term in at most this many chunks of the index is what a question is about, whatever else it asks. */
const RARE_DF = 2;

/** True when b is a one-letter edit of a (typed, dropped, swapped or added). */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * A question term the index lacks but a hit holds one edit away ("Dusquesne", "affext") is read
 * as that word: a typo should not sink an answer the passages hold.
 */
function correctTypos(terms: Set<string>, df: Map<string, number>, vocabulary: Set<string>): Set<string> {
  const corrected = new Set<string>();
  for (const t of terms) {
    const fix = (df.get(t) ?? 0) === 0 && t.length >= 5 ? [...vocabulary].find((u) => oneEditApart(t, u)) : undefined;
    corrected.add(fix ?? t);
  }
  return corrected;
}

export function termWeights(question: string, context: string | undefined, hits: Hit[], df: Map<string, number> | undefined): Weights {
  const hitTerms = hits.map((h) => questionTerms(`${h.chunk.title ?? ""} ${h.chunk.text}`));
  const vocabulary = new Set(hitTerms.flatMap((terms) => [...terms]));
  const own = df ? correctTypos(questionTerms(question), df, vocabulary) : questionTerms(question);
  const all = new Set([...own, ...(context ? questionTerms(context) : [])]);
  // Rarity in the index when known (a term in no chunk weighs most); else rarity among the hits.
  // A corrected typo is in the hits, so in at least one chunk.
  const frequency = (t: string) => (df ? (df.get(t) ?? (vocabulary.has(t) ? 1 : 0)) : hitTerms.filter((terms) => terms.has(t)).length);
  const scale = df ? TERM_DF_CAP : hits.length;
  const weight = new Map<string, number>();
  for (const t of all) weight.set(t, Math.log(1 + scale / (frequency(t) + 0.5)) * (own.has(t) ? 1 : CONTEXT_WEIGHT));
  const ownTotal = [...own].reduce((sum, t) => sum + (weight.get(t) ?? 0), 0);
  // Only a term the hits hold can be required: one the index lacks (another topic) or retrieval
  // did not reach (a paraphrase) only lowers the coverage.
  const top = [...own].sort((a, b) => (weight.get(b) ?? 0) - (weight.get(a) ?? 0)).find((t) => frequency(t) > 0 && vocabulary.has(t));
  // A term in only a chunk or two of the whole index names the topic outright ("hyperthyroidism").
  const dominant =
    top !== undefined && own.size > 1 && ((weight.get(top) ?? 0) >= DOMINANT * ownTotal || (df !== undefined && frequency(top) <= RARE_DF));
  return {
    own: new Set([...own].filter((t) => frequency(t) > 0)),
    of: (t) => weight.get(t) ?? 0,
    total: [...weight.values()].reduce((a, b) => a + b, 0) || 1,
    ...(dominant ? { required: top } : {}),
  };
}

export function share(terms: Iterable<string>, weights: Weights, skip?: Set<string>): number {
  let sum = 0;
  for (const t of terms) if (!skip?.has(t)) sum += weights.of(t);
  return sum / weights.total;
}

/** A unit's share: its own words fully, the code or list it introduces at half weight. */
export function unitShare(c: Candidate, weights: Weights, skip?: Set<string>): number {
  const follow = [...c.followTerms].filter((t) => !c.terms.has(t));
  return share(c.terms, weights, skip) + 0.5 * share(follow, weights, skip);
}

import type { Answer, Citation, Hit } from "../types.js";
import { type Candidate, collectSections, type Section, widenToSections } from "./extractive-units.js";
import { questionTerms, share, termWeights, unitShare, type Weights } from "./extractive-weights.js";

export { oneEditApart, questionTerms, TERM_DF_CAP } from "./extractive-weights.js";

export interface ExtractiveOptions {
  maxSentences: number;
  /**
   * Earlier questions of a conversation: their terms help pick sentences, at a fraction of the
   * weight of the question itself, so a follow-up is answered about what it asks.
   */
  context?: string;
  /**
   * How many chunks of the whole index hold each question term (capped, see `TERM_DF_CAP`): rare
   * terms are what a question is about. Without it, rarity is judged among the hits alone.
   */
  documentFrequency?: Map<string, number>;
  /** Texts of the hits' documents: a Markdown hit is then read as its whole section. */
  documentTexts?: Map<string, string>;
}

/** Share of the question's weight the chosen section must hold to count as an answer. */
const MIN_COVERAGE = 0.3;
/** ...and the share one shared term must hold on its own. */
const SINGLE_TERM_COVERAGE = 0.5;

export const EXTRACTIVE_MODEL = "ragkit-extractive";
export const NOT_FOUND = "I could not find anything in the indexed documents that answers this question.";

interface ScoredSection {
  section: Section;
  coverage: number;
  score: number;
  covered: Set<string>;
}

/**
 * How well a section answers: what share of the question it covers, how densely one unit does,
 * whether its own heading names what is asked, and its retrieval rank.
 */
function scoreSection(section: Section, weights: Weights): ScoredSection {
  const covered = new Set<string>();
  for (const t of section.headingTerms) if (weights.of(t) > 0) covered.add(t);
  let densest = 0;
  for (const c of section.candidates) {
    for (const t of [...c.terms, ...c.followTerms]) if (weights.of(t) > 0) covered.add(t);
    densest = Math.max(densest, unitShare(c, weights));
  }
  const coverage = share(covered, weights);
  const prior = 0.12 / (1 + section.rank);
  // A documentation section is read whole; a plain passage is as good as its best sentence.
  const score =
    section.headings.length > 0
      ? 0.5 * coverage + 0.4 * densest + 0.15 * share(section.leafTerms, weights) + prior
      : 0.25 * coverage + 0.75 * densest + prior;
  return { section, coverage, covered, score };
}

/**
 * Units of the section in the order that best answers: each pick adds the most question weight not
 * yet covered (maximal marginal relevance over terms), with a lead for a section's first unit and
 * for neighbours of what is already chosen, so the quote reads as a passage, not scattered lines.
 */
function pickUnits(section: Section, weights: Weights, max: number): Candidate[] {
  const position = (c: Candidate) => c.hit.chunk.start + c.start;
  const headed = section.headings.length > 0;
  const first = Math.min(...section.candidates.filter((c) => !c.nested).map(position));
  const chosen: Candidate[] = [];
  const covered = new Set<string>();
  while (chosen.length < max) {
    let best: { candidate: Candidate; value: number; gain: number } | undefined;
    for (const c of section.candidates) {
      if (chosen.includes(c)) continue;
      const gain = unitShare(c, weights, covered);
      const own = unitShare(c, weights);
      const next = chosen.some((d) => d.hit === c.hit && Math.abs(d.order - c.order) === 1);
      const opening = headed && position(c) === first ? 0.15 : 0;
      // A parameter's note inside a component (`<Param>`) is a detail; the section's own prose comes first.
      const detail = (c.end - c.start < 25 ? 0.05 : 0) + (c.nested ? 0.15 : 0);
      const value = gain + 0.3 * own + opening + (next ? 0.12 : 0) - detail;
      if (!best || value > best.value) best = { candidate: c, value, gain };
    }
    if (!best || (chosen.length > 0 && best.gain === 0 && best.value < 0.15)) break;
    chosen.push(best.candidate);
    for (const t of [...best.candidate.terms, ...best.candidate.followTerms]) covered.add(t);
  }
  // A documentation section's opening says what it is about ("Default: 1048576"): keep it.
  const opening = section.candidates.find((c) => position(c) === first);
  if (headed && opening && !chosen.includes(opening) && chosen.length > 0) {
    if (chosen.length >= max) chosen.pop();
    chosen.push(opening);
  }
  return chosen.sort((a, b) => a.hitRank - b.hitRank || a.order - b.order);
}

/**
 * From plain passages (no headings to say where an answer starts and ends): the sentences that
 * best cover the question wherever they are, better-ranked passages first, each close to the best.
 */
const ANAPHOR = /^(It|Its|This|These|That|Those|They|Their|He|His|She|Her|Such|The latter|The former)\b/;

function pickSentences(scored: ScoredSection[], weights: Weights, max: number): Candidate[] {
  const pool = scored
    .filter((s) => s.section.headings.length === 0 && (!weights.required || s.covered.has(weights.required)))
    .flatMap((s) => s.section.candidates);
  // Among sentences, a term most of them share tells none apart: weigh by rarity in the pool too.
  const inPool = (t: string) => pool.filter((c) => c.terms.has(t)).length;
  const local = new Map<string, number>();
  const localWeights: Weights = {
    own: weights.own,
    of: (t) => {
      const known = local.get(t);
      if (known !== undefined) return known;
      const w = weights.of(t) > 0 ? Math.log(1 + pool.length / Math.max(1, inPool(t))) * Math.sqrt(weights.of(t)) : 0;
      local.set(t, w);
      return w;
    },
    total: 0,
  };
  localWeights.total = [...new Set(pool.flatMap((c) => [...c.terms]))].reduce((sum, t) => sum + localWeights.of(t), 0);
  const ranked = pool
    .map((c) => ({ c, value: unitShare(c, localWeights) + 0.15 / (1 + c.hitRank) - (c.end - c.start < 25 ? 0.1 : 0) }))
    .filter((x) => x.value > 0.15 / (1 + x.c.hitRank))
    .sort((a, b) => b.value - a.value);
  const best = ranked[0];
  if (!best) return [];
  const chosen = ranked
    .filter((x) => x.value >= 0.6 * best.value)
    .slice(0, max)
    .map((x) => x.c);
  // A next sentence that goes on about the same subject ("It is caused by ...") finishes the
  // best one's thought: keep it when it speaks to the question too.
  const next = pool.find((c) => c.hit === best.c.hit && c.order === best.c.order + 1);
  const continues = next && ANAPHOR.test(next.hit.chunk.text.slice(next.start, next.end));
  if (next && continues && !chosen.includes(next) && [...next.terms].some((t) => weights.of(t) > 0)) {
    if (chosen.length >= max) chosen.pop();
    chosen.push(next);
  }
  return chosen.sort((a, b) => a.hitRank - b.hitRank || a.order - b.order);
}

function render(chosen: Candidate[], headings: string[]): { text: string; citations: Citation[] } {
  const citations: Citation[] = [];
  let body = "";
  for (const c of chosen) {
    const chunk = c.hit.chunk;
    const quote = chunk.text.slice(c.start, c.end);
    const marker = citations.length + 1;
    citations.push({
      marker,
      chunkId: chunk.id,
      documentId: chunk.documentId,
      source: chunk.source,
      start: chunk.start + c.start,
      end: chunk.start + c.end,
      quote,
      ...(headings.length > 0 ? { headings } : {}),
    });
    const separator = body && !body.endsWith("\n") ? " " : "";
    if (c.leadEnd !== undefined) {
      // A lead-in keeps the code or list it introduces as written, on lines of its own.
      const lead = chunk.text.slice(c.start, c.leadEnd).replace(/\s+/g, " ");
      body += `${separator}${lead} [${marker}]\n\n${chunk.text.slice(c.leadEnd, c.end).replace(/^\s*\n/, "")}\n\n`;
    } else body += `${separator}${quote.replace(/\s+/g, " ")} [${marker}]`;
  }
  body = body.trim();
  return { text: headings.length > 0 ? `**${headings.join(" › ")}**\n\n${body}` : body, citations };
}

/**
 * Answers without a language model. The hits are read as sections (a Markdown heading path, else
 * the chunk); the section that best covers the question's terms, rare terms weighing most, gives
 * the answer, quoted exactly and cited. When no section holds the question's most specific term,
 * or too little of the question, it says that nothing relevant was found instead of guessing.
 */
export function answerExtractively(question: string, hits: Hit[], options: ExtractiveOptions): Answer {
  const notFound: Answer = { text: NOT_FOUND, citations: [], hits, model: EXTRACTIVE_MODEL, grounded: false };
  if (questionTerms(question).size === 0 || hits.length === 0) return notFound;
  const weights = termWeights(question, options.context, hits, options.documentFrequency);
  const read = options.documentTexts ? widenToSections(hits, options.documentTexts) : hits;
  const scored = collectSections(read)
    .map((s) => scoreSection(s, weights))
    .sort((a, b) => b.score - a.score);
  const best = scored.find((s) => !weights.required || s.covered.has(weights.required));
  // One shared word is a coincidence, not an answer, unless it is most of what the question asks
  // ("What is another name for exoteric?") or the only question word the index knows at all.
  const matched = best ? [...best.covered].filter((t) => weights.own.has(t)).length : 0;
  const coincidence = matched < Math.min(2, weights.own.size) && (best?.coverage ?? 0) < SINGLE_TERM_COVERAGE;
  if (!best || best.coverage < MIN_COVERAGE || coincidence) return notFound;
  const chosen =
    best.section.headings.length > 0
      ? pickUnits(best.section, weights, options.maxSentences)
      : pickSentences(scored, weights, options.maxSentences);
  if (chosen.length === 0) return notFound;
  const { text, citations } = render(chosen, best.section.headings);
  return { text, citations, hits, model: EXTRACTIVE_MODEL, grounded: true };
}

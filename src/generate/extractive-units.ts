import { markdownSections } from "../chunk/markdown.js";
import { analyze } from "../text/analyzer.js";
import { textUnits } from "../text/sentences.js";
import type { Hit } from "../types.js";

/** A quotable unit of a hit, with the section it belongs to and the question terms it holds. */
export interface Candidate {
  hitRank: number;
  hit: Hit;
  /** Offsets into the chunk text; `end` includes the block a lead-in sentence introduces. */
  start: number;
  end: number;
  /** For a lead-in: where its own sentence ends and the code or list it introduces begins. */
  leadEnd?: number;
  /** Position of the unit in its chunk, for reading order and "first sentence" preference. */
  order: number;
  /** Inside an HTML/MDX element: never taken as the section's opening. */
  nested: boolean;
  section: string;
  /** Terms of the unit itself; `followTerms` those of the code or list it introduces. */
  terms: Set<string>;
  followTerms: Set<string>;
}

/** A heading path (Markdown chunker) or the chunk itself: the span an answer should come from. */
export interface Section {
  key: string;
  headings: string[];
  rank: number;
  /** Terms of the heading path and document title: they say what the whole section is about. */
  headingTerms: Set<string>;
  /** Terms of the section's own heading, the most telling of all. */
  leafTerms: Set<string>;
  candidates: Candidate[];
}

const LINK = /!?\[([^\]]*)\]\([^)]*\)/g;
const HTML_TAG = /<[^>]*>/g;

/** What a reader sees of a unit: link targets and tags dropped. */
function visibleText(text: string): string {
  return text.replace(LINK, "$1").replace(HTML_TAG, " ");
}

/** Navigation (a table-of-contents entry is only a link) and bare markup say nothing. */
function isContent(text: string): boolean {
  const withoutLinks = text.replace(LINK, "").replace(HTML_TAG, "");
  return (withoutLinks.match(/\p{L}/gu) ?? []).length >= 3;
}

/** Terms of a text, with camelCase and snake_case identifiers also split into their words. */
export function unitTerms(text: string): Set<string> {
  const visible = visibleText(text);
  const split = visible.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ");
  return new Set([...analyze(visible), ...analyze(split)]);
}

/** The heading path the Markdown chunker gave a hit's chunk; empty for other formats. */
export function headingsOf(hit: Hit): string[] {
  const headings = hit.chunk.metadata.headings;
  return Array.isArray(headings) ? headings.filter((h): h is string => typeof h === "string") : [];
}

function normalized(text: string): string {
  return visibleText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

/**
 * The hits' quotable units grouped by section, best-ranked first. Within a section a unit that
 * repeats one already seen (overlapping chunks, a paragraph said twice) is left out, so an answer
 * never quotes the same sentence twice; copies of a page (v4 and v5 docs) are separate sections
 * and an answer comes from one.
 */
export function collectSections(hits: Hit[]): Section[] {
  const sections = new Map<string, Section>();
  const seen = new Map<string, Array<{ text: string; terms: Set<string> }>>();
  hits.forEach((hit, hitRank) => {
    const text = hit.chunk.text;
    const headings = headingsOf(hit);
    const key = headings.length > 0 ? `${hit.chunk.documentId}\u0000${headings.join("\u0001")}` : hit.chunk.id;
    let section = sections.get(key);
    if (!section) {
      const headingTerms = unitTerms([hit.chunk.title ?? "", ...headings].join(" "));
      section = { key, headings, rank: hitRank, headingTerms, leafTerms: unitTerms(headings.at(-1) ?? ""), candidates: [] };
      sections.set(key, section);
      seen.set(key, []);
    }
    const earlier = seen.get(key) ?? [];
    textUnits(text).forEach((unit, order) => {
      if (unit.kind !== "sentence" && unit.kind !== "item") return;
      const own = text.slice(unit.start, unit.end);
      if (!isContent(own)) return;
      const terms = unitTerms(own);
      const plain = normalized(own);
      if (earlier.some((s) => s.text === plain || (terms.size >= 5 && jaccard(s.terms, terms) >= 0.85))) return;
      earlier.push({ text: plain, terms });
      const end = unit.followEnd ?? unit.end;
      const followTerms = unit.followEnd ? unitTerms(text.slice(unit.end, unit.followEnd)) : new Set<string>();
      const lead = unit.followEnd ? { leadEnd: unit.end } : {};
      const nested = unit.nested === true;
      section?.candidates.push({ hitRank, hit, start: unit.start, end, ...lead, order, nested, section: key, terms, followTerms });
    });
  });
  return [...sections.values()].filter((s) => s.candidates.length > 0);
}

/** Longest section read whole; a longer one is answered from its retrieved chunks. */
const MAX_SECTION_CHARS = 8000;

/**
 * Hits widened to the whole Markdown section they were cut from, read from the document: an
 * answer then sees the section's opening sentence and its end even when retrieval matched only a
 * chunk of the middle. Later hits of an already widened section add nothing and are dropped.
 */
export function widenToSections(hits: Hit[], documentTexts: Map<string, string>): Hit[] {
  const widened: Hit[] = [];
  const seen = new Set<string>();
  const sectionsOf = new Map<string, ReturnType<typeof markdownSections>>();
  for (const hit of hits) {
    const headings = headingsOf(hit);
    const text = documentTexts.get(hit.chunk.documentId);
    if (headings.length === 0 || text === undefined) {
      widened.push(hit);
      continue;
    }
    const sections = sectionsOf.get(hit.chunk.documentId) ?? markdownSections(text);
    sectionsOf.set(hit.chunk.documentId, sections);
    const c = hit.chunk;
    const section = sections.find((s) => s.start <= c.start && c.start < s.end && s.headings.join("\u0001") === headings.join("\u0001"));
    if (!section || section.end - section.start > MAX_SECTION_CHARS) {
      widened.push(hit);
      continue;
    }
    const key = `${c.documentId}:${section.start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    widened.push({ ...hit, chunk: { ...c, text: text.slice(section.start, section.end), start: section.start, end: section.end } });
  }
  return widened;
}

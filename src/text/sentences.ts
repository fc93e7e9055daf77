const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

export type UnitKind = "sentence" | "item" | "code" | "table" | "heading" | "meta";

/** A piece of text an answer can quote: [start, end) offsets into the text it was cut from. */
export interface TextUnit {
  start: number;
  end: number;
  kind: UnitKind;
  /**
   * For a sentence ending in ":" that introduces a code block, list or table: where that block
   * ends, so the quote can take the lead-in and what it introduces together.
   */
  followEnd?: number;
  /** Inside an HTML or MDX element (`<Param>…</Param>`): a detail, not the section's own prose. */
  nested?: boolean;
}

interface Block {
  start: number;
  end: number;
  kind: UnitKind | "paragraph";
  nested?: boolean;
}

const HEADING = /^\s{0,3}#{1,6}\s|^\s*<h[1-6][\s>]/i;
const ITEM = /^\s*([-*+]|\d+[.)])\s/;
const TABLE_ROW = /^\s*\|/;
const FENCE = /^\s*(```|~~~)/;
const ONLY_HTML = /^\s*(<[^>]*>\s*)+$/;
// YAML front matter at the top of a Markdown/MDX file, and MDX's ES module lines: metadata and code.
const FRONT_MATTER = /^---[ \t]*\n(?:[ \t]*[\w-]+:.*\n|[ \t]+.*\n|[ \t]*-[ \t].*\n|[ \t]*\n)*?---[ \t]*(?:\n|$)/;
const ESM_LINE = /^(?:import\s[^\n]*\sfrom\s+["']|import\s+["']|export\s+(?:const|let|default|function|\{))/;

/** How many elements a markup-only line leaves open (`<Signature>` +1, `</Signature>` −1, `<br/>` 0). */
function tagDepth(line: string): number {
  let depth = 0;
  for (const tag of line.matchAll(/<(\/?)([A-Za-z][\w.-]*)[^>]*?(\/?)>/g)) {
    if (tag[3] === "/" || /^(br|hr|img|input|meta|link)$/i.test(tag[2] as string)) continue;
    depth += tag[1] === "/" ? -1 : 1;
  }
  return depth;
}

// Sentence punctuation inside these is not a sentence end: inline code (`if (!x)`), links and
// images (`](../Reference/Routes.md)`), bare URLs, and abbreviations that end in a period.
const PROTECTED = [/`[^`]*`/g, /!?\[[^\]]*\]\([^)\s]*\)/g, /\b(?:https?|ftp):\/\/[^\s<>"')\]]+/g, /<[^>\n]*>/g];
const ABBREVIATION = /\b(?:e\.g|i\.e|etc|vs|cf|approx|Mr|Mrs|Ms|Dr|Prof|St|No|Fig|Eq|Vol|al)\./gi;

/** The same text with protected spans replaced by letters of the same length, so offsets hold. */
function maskProtected(text: string): string {
  let masked = text;
  for (const pattern of PROTECTED) masked = masked.replace(pattern, (m) => "x".repeat(m.length));
  return masked.replace(ABBREVIATION, (m) => `${m.slice(0, -1).replace(/\./g, "x")}x`);
}

const CODE_LINE = /[;{}()[\],]\s*$|=>|^\s*(const|let|var|import|export|function|return|await|\/\/|#!)\b/;

function codeShare(lines: string[]): number {
  const filled = lines.filter((l) => l.trim().length > 0);
  return filled.length === 0 ? 0 : filled.filter((l) => CODE_LINE.test(l)).length / filled.length;
}

/**
 * A chunk may begin inside a code fence its previous chunk opened: then its fences are unbalanced
 * and the text before the first one reads as code rather than the text after the last one.
 */
function startsInFence(lines: string[]): boolean {
  const fences = lines.flatMap((line, i) => (FENCE.test(line) ? [i] : []));
  if (fences.length % 2 === 0) return false;
  const first = fences[0] as number;
  const last = fences.at(-1) as number;
  return codeShare(lines.slice(0, first)) > codeShare(lines.slice(last + 1));
}

/** Markdown-ish blocks by line: fences, headings, list items, table rows and paragraphs. */
function blocksOf(text: string): Block[] {
  const blocks: Block[] = [];
  const front = FRONT_MATTER.exec(text)?.[0].length ?? 0;
  if (front > 0) blocks.push({ start: 0, end: front, kind: "meta" });
  const lines = text.slice(front).split("\n");
  let open: Block | undefined;
  let fenceStart = startsInFence(lines) ? front : -1;
  let lineStart = front;
  let depth = 0;
  const close = (end: number) => {
    if (open && end > open.start) blocks.push({ ...open, end, ...(depth > 0 ? { nested: true } : {}) });
    open = undefined;
  };
  for (const line of lines) {
    const lineEnd = lineStart + line.length;
    if (fenceStart < 0 && ESM_LINE.test(line)) {
      close(lineStart);
      blocks.push({ start: lineStart, end: lineEnd, kind: "code" });
    } else if (FENCE.test(line)) {
      if (fenceStart < 0) {
        close(lineStart);
        fenceStart = lineStart;
      } else {
        blocks.push({ start: fenceStart, end: lineEnd, kind: "code" });
        fenceStart = -1;
      }
    } else if (fenceStart < 0) {
      if (line.trim().length === 0 || ONLY_HTML.test(line)) {
        close(lineStart);
        if (ONLY_HTML.test(line)) depth = Math.max(0, depth + tagDepth(line));
      } else if (HEADING.test(line)) {
        close(lineStart);
        blocks.push({ start: lineStart, end: lineEnd, kind: "heading" });
      } else if (TABLE_ROW.test(line)) {
        if (open?.kind !== "table") close(lineStart);
        open ??= { start: lineStart, end: lineEnd, kind: "table" };
      } else if (ITEM.test(line)) {
        close(lineStart);
        open = { start: lineStart, end: lineEnd, kind: "item" };
      } else {
        if (open?.kind === "table") close(lineStart);
        open ??= { start: lineStart, end: lineEnd, kind: "paragraph" };
      }
    }
    lineStart = lineEnd + 1;
  }
  // An unclosed fence is cut by the chunk boundary: it is still code, never prose.
  if (fenceStart >= 0) blocks.push({ start: fenceStart, end: text.length, kind: "code" });
  close(text.length);
  return blocks.map((b) => trimBlock(text, b)).filter((b) => b.end > b.start);
}

function trimBlock(text: string, block: Block): Block {
  let { start, end } = block;
  while (start < end && /\s/.test(text[start] as string)) start++;
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return { ...block, start, end };
}

function sentencesOf(text: string, block: Block): TextUnit[] {
  // Hard-wrapped lines are one paragraph: same length as the block, so segment offsets are text offsets.
  const flat = maskProtected(text.slice(block.start, block.end).replace(/\n/g, " "));
  const units: TextUnit[] = [];
  const kind = block.kind === "item" ? "item" : "sentence";
  const nested = block.nested ? { nested: true } : {};
  for (const segment of segmenter.segment(flat)) {
    const unit = trimBlock(text, { start: block.start + segment.index, end: block.start + segment.index + segment.segment.length, kind });
    if (unit.end > unit.start) units.push({ start: unit.start, end: unit.end, kind, ...nested });
  }
  // A list item is one unit: its sentences belong together.
  if (kind === "item" && units.length > 1) return [{ start: block.start, end: block.end, kind, ...nested }];
  return units;
}

const MAX_FOLLOW = 1200;

/**
 * The quotable units of a chunk in reading order: sentences of paragraphs (never split inside
 * inline code, links, URLs or abbreviations), whole list items, code blocks, tables and headings.
 * A sentence ending in ":" right before a code block, list or table records where that ends.
 */
export function textUnits(text: string): TextUnit[] {
  const blocks = blocksOf(text);
  const units: TextUnit[] = [];
  blocks.forEach((block, i) => {
    if (block.kind === "paragraph" || block.kind === "item") {
      const sentences = sentencesOf(text, block);
      const last = sentences.at(-1);
      const next = blocks[i + 1];
      if (last && next && text.slice(last.start, last.end).endsWith(":")) {
        const followEnd = followingEnd(blocks, i + 1, last.start);
        if (followEnd !== undefined) last.followEnd = followEnd;
      }
      units.push(...sentences);
    } else units.push({ start: block.start, end: block.end, kind: block.kind });
  });
  return units;
}

/** Where the block(s) a lead-in introduces end: one code block or table, or a run of list items. */
function followingEnd(blocks: Block[], from: number, leadStart: number): number | undefined {
  const first = blocks[from];
  if (!first || first.kind === "heading" || first.kind === "paragraph") return undefined;
  if (first.kind !== "item") return first.end - leadStart <= MAX_FOLLOW ? first.end : undefined;
  let end: number | undefined;
  for (let i = from; i < blocks.length; i++) {
    const block = blocks[i] as Block;
    if (block.kind !== "item" || block.end - leadStart > MAX_FOLLOW) break;
    end = block.end;
  }
  return end;
}

/**
 * Sentences and list items of a text as [start, end) offsets; code, tables and headings are left
 * out (they are quoted only after the sentence that introduces them).
 */
export function sentenceSpans(text: string): Array<[number, number]> {
  return textUnits(text)
    .filter((u) => u.kind === "sentence" || u.kind === "item")
    .map((u) => [u.start, u.end]);
}

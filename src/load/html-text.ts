import { type Cheerio, type CheerioAPI, load } from "cheerio";
import type { AnyNode, Element } from "domhandler";
import { RagkitError } from "../errors.js";

// Chrome around the content that a reader skips, and elements that are never text.
const DROP =
  "script, style, noscript, template, svg, canvas, iframe, nav, header, footer, aside, form, button, [role=navigation], [aria-hidden=true]";
const BLOCK = new Set([
  "p",
  "div",
  "section",
  "article",
  "main",
  "ul",
  "ol",
  "table",
  "tr",
  "blockquote",
  "pre",
  "figure",
  "figcaption",
  "dl",
  "dt",
  "dd",
  "address",
  "details",
  "summary",
  "hr",
]);

function render(node: AnyNode, out: string[]): void {
  if (node.type === "text") {
    out.push((node as unknown as { data: string }).data.replace(/\s+/g, " "));
    return;
  }
  if (node.type !== "tag") return;
  const element = node as Element;
  const name = element.name.toLowerCase();
  const heading = /^h([1-6])$/.exec(name);
  if (heading) {
    out.push(`\n\n${"#".repeat(Number(heading[1]))} `);
  } else if (name === "li") {
    out.push("\n- ");
  } else if (name === "br") {
    out.push("\n");
    return;
  } else if (name === "td" || name === "th") {
    out.push(" | ");
  } else if (BLOCK.has(name)) {
    out.push("\n\n");
  }
  for (const child of element.children) render(child, out);
  if (heading || BLOCK.has(name)) out.push("\n\n");
}

function tidy(text: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(/[ \t]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// Browsers stop nesting at 512 levels; real pages stay far below. Deeper input is an attack or
// garbage, and parse5 slows quadratically with depth (30,000 levels: 4 s, then a stack overflow).
const MAX_DEPTH = 1_000;
// Elements a parser closes by itself (or that never hold content): they do not nest in practice.
const SELF_CLOSING =
  /^(p|li|dt|dd|tr|td|th|thead|tbody|tfoot|option|optgroup|rb|rt|rp|colgroup|caption|area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)$/i;

/** The deepest nesting of explicitly closed elements, counted in one linear pass over the tags. */
export function nestingDepth(html: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosed] = match;
    if (selfClosed || SELF_CLOSING.test(name as string)) continue;
    depth = closing ? Math.max(0, depth - 1) : depth + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAt) break;
  }
  return deepest;
}

export interface HtmlText {
  title?: string;
  text: string;
}

/**
 * The main text of a page as light Markdown (headings as `#`, list items as `-`), so the markdown
 * chunker keeps the page's structure. Navigation, scripts and page chrome are left out.
 */
export function htmlToText(html: string): HtmlText {
  if (nestingDepth(html, MAX_DEPTH) > MAX_DEPTH) {
    throw new RagkitError("PARSE_FAILED", `elements are nested more than ${MAX_DEPTH} levels deep; this is not a page a reader could show`);
  }
  const $: CheerioAPI = load(html);
  const title = $("title").first().text().trim() || $("h1").first().text().trim() || undefined;
  $(DROP).remove();
  let root: Cheerio<AnyNode> = $("main, article, [role=main]").first();
  if (root.length === 0) root = $("body");
  if (root.length === 0) root = $.root();
  const out: string[] = [];
  for (const node of root.toArray()) render(node, out);
  return { ...(title ? { title } : {}), text: tidy(out.join("")) };
}

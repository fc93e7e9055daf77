import { type Cheerio, type CheerioAPI, load } from "cheerio";
import type { AnyNode, Element } from "domhandler";

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

export interface HtmlText {
  title?: string;
  text: string;
}

/**
 * The main text of a page as light Markdown (headings as `#`, list items as `-`), so the markdown
 * chunker keeps the page's structure. Navigation, scripts and page chrome are left out.
 */
export function htmlToText(html: string): HtmlText {
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

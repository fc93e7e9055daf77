import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { Marked, type Tokens } from "marked";

// Documents are untrusted. Raw HTML inside Markdown is shown as text (never parsed), only http(s)
// and mailto links become links, and DOMPurify sanitises the result as a second line of defence.

for (const [name, language] of Object.entries({ bash, css, javascript, json, python, sql, typescript, xml, yaml })) {
  hljs.registerLanguage(name, language);
}
for (const [alias, name] of [
  ["js", "javascript"],
  ["ts", "typescript"],
  ["sh", "bash"],
  ["shell", "bash"],
  ["html", "xml"],
  ["yml", "yaml"],
  ["py", "python"],
] as const) {
  hljs.registerAliases(alias, { languageName: name });
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

const SAFE_LINK = /^(https?:|mailto:)/i;

const marked = new Marked({
  gfm: true,
  renderer: {
    html: (token: Tokens.HTML | Tokens.Tag) => escapeHtml(token.text),
    code({ text, lang }: Tokens.Code) {
      const language = lang?.split(/\s/)[0];
      const body = language && hljs.getLanguage(language) ? hljs.highlight(text, { language }).value : escapeHtml(text);
      // Focusable, so a keyboard can scroll a long line of code.
      return `<pre tabindex="0"><code class="hljs${language ? ` language-${escapeHtml(language)}` : ""}">${body}</code></pre>`;
    },
    link({ href, tokens }: Tokens.Link) {
      const label = this.parser.parseInline(tokens);
      return SAFE_LINK.test(href) ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>` : label;
    },
    image({ text }: Tokens.Image) {
      return escapeHtml(text);
    },
  },
});

function sanitize(html: string): string {
  return DOMPurify.sanitize(html, { FORBID_TAGS: ["style", "form", "input", "img"], ADD_ATTR: ["target"] });
}

/** Markdown to sanitised HTML. */
export function markdownHtml(text: string): string {
  return sanitize(marked.parse(text, { async: false }));
}

function textNodes(root: Node): Text[] {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  return nodes;
}

/** Answer Markdown with each `[n]` outside code turned into a citation button (`data-marker`). */
export function answerHtml(text: string): string {
  const box = document.createElement("div");
  box.innerHTML = markdownHtml(text);
  for (const node of textNodes(box)) {
    if (node.parentElement?.closest("code, pre") || !/\[\d+\]/.test(node.data)) continue;
    const parts = node.data.split(/(\[\d+\])/g);
    const fragment = document.createDocumentFragment();
    for (const part of parts) {
      const marker = /^\[(\d+)\]$/.exec(part)?.[1];
      if (!marker) {
        fragment.append(part);
        continue;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "cite";
      button.dataset.marker = marker;
      button.setAttribute("aria-label", `Source ${marker}`);
      button.textContent = marker;
      fragment.append(button);
    }
    node.replaceWith(fragment);
  }
  return box.innerHTML;
}

const OPEN = "\uE000";
const CLOSE = "\uE001";

/**
 * A document as Markdown with [start, end) wrapped in `<mark>` elements, however the span crosses
 * paragraphs and code: the span is fenced by two private-use characters before rendering, and the
 * text between them is marked afterwards. The first mark carries `data-testid="highlight"`.
 */
// A sentinel must not break the Markdown around it: an opening one goes after a line's block
// syntax (list marker, heading hashes, quote, code fence), a closing one before a closing fence.
const LINE_SYNTAX = /^(?:[ \t]*(?:[-*+]|\d+[.)])[ \t]+|[ \t]*#{1,6}[ \t]+|[ \t]*>[ \t]?|[ \t]*(?:```|~~~)[^\n]*\n)+/;
const TRAILING_FENCE = /\n[ \t]*(?:```|~~~)[ \t]*$/;

function sentinelOffsets(text: string, start: number, end: number): [number, number] {
  const atLineStart = start === 0 || text[start - 1] === "\n";
  const lead = atLineStart ? (LINE_SYNTAX.exec(text.slice(start, end))?.[0].length ?? 0) : 0;
  const fence = TRAILING_FENCE.exec(text.slice(start + lead, end));
  return [start + lead, fence ? start + lead + fence.index : end];
}

export function documentHtml(text: string, spanStart: number, spanEnd: number, markdown: boolean): string {
  const [start, end] = markdown ? sentinelOffsets(text, spanStart, spanEnd) : [spanStart, spanEnd];
  const fenced = end > start ? text.slice(0, start) + OPEN + text.slice(start, end) + CLOSE + text.slice(end) : text;
  const box = document.createElement("div");
  box.innerHTML = markdown ? markdownHtml(fenced) : `<pre class="plain" tabindex="0">${escapeHtml(fenced)}</pre>`;
  let inside = false;
  let first = true;
  for (const node of textNodes(box)) {
    if (!inside && !node.data.includes(OPEN)) continue;
    const fragment = document.createDocumentFragment();
    for (const piece of node.data.split(/([\uE000\uE001])/)) {
      if (piece === OPEN || piece === CLOSE) {
        inside = piece === OPEN;
        continue;
      }
      if (!inside || piece.length === 0) {
        fragment.append(piece);
        continue;
      }
      const mark = document.createElement("mark");
      if (first) mark.dataset.testid = "highlight";
      first = false;
      mark.textContent = piece;
      fragment.append(mark);
    }
    node.replaceWith(fragment);
  }
  return box.innerHTML;
}

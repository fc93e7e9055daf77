import path from "node:path";
import type { Answer, Hit } from "../types.js";

export function displayPath(source: string): string {
  if (!path.isAbsolute(source)) return source;
  const relative = path.relative(process.cwd(), source);
  return relative.startsWith("..") ? source : relative;
}

function snippet(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatHits(hits: Hit[]): string {
  if (hits.length === 0) return "No results.\n";
  return hits
    .map((hit, i) => {
      // The same names as the JSON's `score` and `scores`.
      const parts = [`score ${hit.score.toFixed(3)}`];
      if (hit.scores.rerank !== undefined) parts.push(`rerank ${hit.scores.rerank.toFixed(3)}`);
      if (hit.scores.lexical !== undefined) parts.push(`lexical ${hit.scores.lexical.toFixed(2)}`);
      if (hit.scores.dense !== undefined) parts.push(`dense ${hit.scores.dense.toFixed(3)}`);
      const headings = Array.isArray(hit.chunk.metadata.headings) ? `  § ${hit.chunk.metadata.headings.join(" > ")}` : "";
      return `${i + 1}. ${displayPath(hit.chunk.source)} [${hit.chunk.start}-${hit.chunk.end}]  (${parts.join(", ")})${headings}\n   ${snippet(hit.chunk.text)}`;
    })
    .join("\n\n")
    .concat("\n");
}

export function formatSources(answer: Answer): string {
  if (answer.citations.length === 0) return "";
  const lines = ["Sources:"];
  for (const c of answer.citations) {
    lines.push(`  [${c.marker}] ${displayPath(c.source)} [${c.start}-${c.end}]`);
    lines.push(`      "${snippet(c.quote, 200)}"`);
  }
  if (answer.droppedMarkers?.length)
    lines.push(`  (ignored markers that point to no passage: ${answer.droppedMarkers.map((n) => `[${n}]`).join(" ")})`);
  return `${lines.join("\n")}\n`;
}

/** Markdown bold (an answer's heading path) as bold on a terminal, as plain words elsewhere. */
export function terminalText(text: string, tty = Boolean(process.stdout.isTTY)): string {
  return text.replace(/\*\*([^*\n]+)\*\*/g, (_, inner: string) => (tty ? `\u001b[1m${inner}\u001b[22m` : inner));
}

export function formatAnswer(answer: Answer): string {
  return `${terminalText(answer.text)}\n\n${formatSources(answer)}`;
}

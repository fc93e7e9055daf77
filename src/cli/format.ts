import path from "node:path";
import type { Answer, Hit } from "../types.js";

/** The `--json` shape of one search hit; part of the public interface. */
export function hitJson(hit: Hit) {
  return {
    documentId: hit.chunk.documentId,
    chunkId: hit.chunk.id,
    source: hit.chunk.source,
    score: hit.score,
    scores: hit.scores,
    text: hit.chunk.text,
    start: hit.chunk.start,
    end: hit.chunk.end,
    metadata: hit.chunk.metadata,
  };
}

/** The `--json` shape of `ragkit ask`. */
export function answerJson(answer: Answer) {
  return {
    answer: answer.text,
    grounded: answer.grounded,
    citations: answer.citations.map((c) => ({
      marker: c.marker,
      documentId: c.documentId,
      chunkId: c.chunkId,
      source: c.source,
      start: c.start,
      end: c.end,
      quote: c.quote,
    })),
    hits: answer.hits.map(hitJson),
    model: answer.model,
    ...(answer.usage ? { usage: answer.usage } : {}),
    ...(answer.droppedMarkers ? { droppedMarkers: answer.droppedMarkers } : {}),
  };
}

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
      const parts = [`fused ${hit.score.toFixed(3)}`];
      if (hit.scores.lexical !== undefined) parts.push(`bm25 ${hit.scores.lexical.toFixed(2)}`);
      if (hit.scores.dense !== undefined) parts.push(`cosine ${hit.scores.dense.toFixed(3)}`);
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

export function formatAnswer(answer: Answer): string {
  return `${answer.text}\n\n${formatSources(answer)}`;
}

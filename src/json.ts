import type { Answer, Hit } from "./types.js";

/** JSON shapes shared by the CLI's `--json` and the HTTP API; part of the public interface. */

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
      ...(c.headings ? { headings: c.headings } : {}),
    })),
    hits: answer.hits.map(hitJson),
    model: answer.model,
    ...(answer.usage ? { usage: answer.usage } : {}),
    ...(answer.droppedMarkers ? { droppedMarkers: answer.droppedMarkers } : {}),
  };
}

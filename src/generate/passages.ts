import type { Hit } from "../types.js";

/** A span of one document given to the model under a number, e.g. `[2]`. */
export interface Passage {
  marker: number;
  documentId: string;
  source: string;
  title?: string;
  start: number;
  end: number;
  /** Exactly the document text at [start, end). */
  text: string;
  chunks: Array<{ id: string; start: number; end: number }>;
  score: number;
}

export interface PackOptions {
  /** Most tokens all passages together may take. */
  budget: number;
  countTokens(text: string): Promise<number>;
  /** Chunks of one document closer than this many characters are merged into one passage. */
  mergeGap?: number;
}

interface Group {
  rank: number;
  documentId: string;
  source: string;
  title?: string;
  start: number;
  end: number;
  chunks: Array<{ id: string; start: number; end: number }>;
  score: number;
}

/**
 * Turns ranked hits into numbered passages under a token budget: neighbouring or overlapping chunks
 * of the same document become one passage (read as the document has them, from `documentTexts`),
 * the best passages come first, and a passage that does not fit is left out whole.
 */
export async function packPassages(hits: Hit[], documentTexts: Map<string, string>, options: PackOptions): Promise<Passage[]> {
  const gap = options.mergeGap ?? 200;
  const byDocument = new Map<string, Group[]>();
  hits.forEach((hit, rank) => {
    const c = hit.chunk;
    const groups = byDocument.get(c.documentId) ?? [];
    groups.push({
      rank,
      documentId: c.documentId,
      source: c.source,
      ...(c.title ? { title: c.title } : {}),
      start: c.start,
      end: c.end,
      chunks: [{ id: c.id, start: c.start, end: c.end }],
      score: hit.score,
    });
    byDocument.set(c.documentId, groups);
  });
  const merged: Group[] = [];
  for (const [documentId, groups] of byDocument) {
    const canMerge = documentTexts.has(documentId);
    groups.sort((a, b) => a.start - b.start);
    let current: Group | undefined;
    for (const group of groups) {
      if (current && canMerge && group.start <= current.end + gap) {
        current.end = Math.max(current.end, group.end);
        current.chunks.push(...group.chunks);
        current.rank = Math.min(current.rank, group.rank);
        current.score = Math.max(current.score, group.score);
      } else {
        if (current) merged.push(current);
        current = { ...group, chunks: [...group.chunks] };
      }
    }
    if (current) merged.push(current);
  }
  merged.sort((a, b) => a.rank - b.rank);

  const passages: Passage[] = [];
  let used = 0;
  for (const group of merged) {
    const documentText = documentTexts.get(group.documentId);
    const hit = hits[group.rank] as Hit;
    const text = documentText !== undefined ? documentText.slice(group.start, group.end) : hit.chunk.text;
    const tokens = await options.countTokens(`${group.source}\n${text}`);
    if (used + tokens > options.budget) continue;
    used += tokens;
    const { rank: _rank, ...rest } = group;
    passages.push({ ...rest, marker: passages.length + 1, text });
  }
  return passages;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

const BLOCK_START = /^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\||>)/;
const FENCE = /^\s*(```|~~~)/;

/**
 * Sentences of a chunk as [start, end) offsets. Hard-wrapped lines of one paragraph are read as
 * one text (Unicode sentence rules would break at every newline); headings, list items, table rows
 * and blank lines start new blocks; fenced code is never quoted as an answer.
 */
export function sentenceSpans(text: string): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  let blockStart = -1;
  let inFence = false;
  let lineStart = 0;
  const close = (end: number) => {
    if (blockStart >= 0 && end > blockStart) blocks.push([blockStart, end]);
    blockStart = -1;
  };
  for (const line of text.split("\n")) {
    const lineEnd = lineStart + line.length;
    if (FENCE.test(line)) {
      close(lineStart);
      inFence = !inFence;
    } else if (!inFence) {
      if (line.trim().length === 0) close(lineStart);
      else {
        if (BLOCK_START.test(line)) close(lineStart);
        if (blockStart < 0) blockStart = lineStart;
      }
    }
    lineStart = lineEnd + 1;
  }
  if (!inFence) close(text.length);
  const spans: Array<[number, number]> = [];
  for (const [from, to] of blocks) {
    // Same length as the block, so segment offsets are text offsets.
    const flat = text.slice(from, to).replace(/\n/g, " ");
    for (const segment of segmenter.segment(flat)) {
      let start = from + segment.index;
      let end = start + segment.segment.length;
      while (start < end && /\s/.test(text[start] as string)) start++;
      while (end > start && /\s/.test(text[end - 1] as string)) end--;
      if (end > start) spans.push([start, end]);
    }
  }
  return spans;
}

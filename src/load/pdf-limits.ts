import { Unzlib } from "fflate";
import { RagkitError } from "../errors.js";

const STREAM = Buffer.from("stream");
const END = Buffer.from("endstream");
// Compressed bytes fed at a time: at most ~1 MB comes out of each even at deflate's 1,032:1.
const SLICE = 1024;

/**
 * Inflates every Flate stream of a PDF (page contents, object streams, fonts) with a running
 * budget before pdf.js sees the file: pdf.js inflates what a page asks for without a limit, and a
 * 300 KB PDF whose one content stream inflates to 300 MB took 790 MB of memory to read (a 1 GB one,
 * three times that). A stream that does not inflate (an image codec, damage) costs nothing here;
 * pdf.js judges it as before.
 */
export function checkPdfStreams(bytes: Buffer, maxInflatedBytes: number, name: string): void {
  let total = 0;
  let at = 0;
  for (;;) {
    const start = bytes.indexOf(STREAM, at);
    if (start < 0) return;
    // `endstream` also contains "stream": skip it, and anything not followed by a line break.
    let data = start + STREAM.length;
    if (bytes[data] === 0x0d) data++;
    if (bytes[data] !== 0x0a || bytes.subarray(start - 3, start).toString("latin1") === "end") {
      at = start + STREAM.length;
      continue;
    }
    data++;
    const end = bytes.indexOf(END, data);
    if (end < 0) return;
    total += inflatedSize(bytes.subarray(data, end), maxInflatedBytes - total + 1);
    if (total > maxInflatedBytes) {
      throw new RagkitError(
        "FILE_TOO_LARGE",
        `${name}: its compressed streams inflate to more than ${maxInflatedBytes} bytes; raise load.pdf.maxInflatedBytes to index it`,
      );
    }
    at = end + END.length;
  }
}

/**
 * What a stream inflates to, counting at most `budget` bytes (what it gave before failing, when it
 * is not zlib data). Fed in small slices and the output dropped as it comes, so memory stays flat.
 */
function inflatedSize(stream: Buffer, budget: number): number {
  let size = 0;
  const inflate = new Unzlib((chunk) => {
    size += chunk.length;
  });
  try {
    for (let i = 0; i < stream.length && size <= budget; i += SLICE)
      inflate.push(stream.subarray(i, i + SLICE), i + SLICE >= stream.length);
  } catch {
    // Damaged or not zlib (an image codec): counted as far as it went.
  }
  return size;
}

import { Unzip, UnzipInflate } from "fflate";
import { RagkitError } from "../errors.js";

export interface ZipLimits {
  /** Entries in the archive. */
  maxEntries: number;
  /** Bytes of all entries once inflated (images included). */
  maxUnzippedBytes: number;
  /** Bytes of the XML parts once inflated: what a parser turns into a tree in memory. */
  maxXmlBytes: number;
}

/**
 * Inflates a zip-based document (DOCX) as a stream, counting what comes out, and stops at the
 * first limit it passes: the sizes a zip declares can lie, the bytes that inflate cannot. A 725 KB
 * file that inflates to 300 MB of XML is refused here instead of taking the parser (and the
 * process) down.
 */
export function checkZip(bytes: Uint8Array, limits: ZipLimits, name: string): void {
  let entries = 0;
  let total = 0;
  let xml = 0;
  let failure: RagkitError | undefined;
  const fail = (message: string) => {
    failure ??= new RagkitError("FILE_TOO_LARGE", `${name}: ${message}; raise load.zip limits to index it`);
  };
  const unzip = new Unzip((file) => {
    if (failure) return;
    entries++;
    if (entries > limits.maxEntries) return fail(`holds more than ${limits.maxEntries} entries`);
    const isXml = /\.(xml|rels)$/i.test(file.name);
    file.ondata = (error, data) => {
      if (failure) return;
      if (error) {
        failure = new RagkitError("PARSE_FAILED", `${name} is not a valid zip archive: ${error.message}`);
        return;
      }
      total += data.length;
      if (isXml) xml += data.length;
      if (xml > limits.maxXmlBytes) {
        fail(`its XML inflates to more than ${(limits.maxXmlBytes / 1e6).toFixed(0)} MB`);
        file.terminate();
      } else if (total > limits.maxUnzippedBytes) {
        fail(`it inflates to more than ${(limits.maxUnzippedBytes / 1e6).toFixed(0)} MB`);
        file.terminate();
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  // Fed in slices so a limit stops the work part way, not after inflating everything.
  const step = 1 << 16;
  try {
    for (let at = 0; at < bytes.length && !failure; at += step) {
      unzip.push(bytes.subarray(at, Math.min(at + step, bytes.length)), at + step >= bytes.length);
    }
  } catch (error) {
    throw new RagkitError("PARSE_FAILED", `${name} is not a valid zip archive: ${(error as Error).message}`, { cause: error });
  }
  if (failure) throw failure;
}

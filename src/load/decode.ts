import chardet from "chardet";
import iconv from "iconv-lite";
import { RagkitError } from "../errors.js";

export interface DecodedText {
  text: string;
  encoding: string;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function looksBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    // Tab, LF, FF, CR and ESC appear in text; other C0 controls mostly don't.
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) control++;
  }
  return control / Math.max(1, sample.length) > 0.1;
}

/**
 * Bytes to text: BOMs honoured, UTF-8 when valid, otherwise the encoding chardet detects
 * (Latin-1, Windows-1252, Shift-JIS, ...). Binary data and undecodable bytes are errors.
 */
export function decodeText(bytes: Buffer, path: string): DecodedText {
  if (bytes.length === 0) throw new RagkitError("EMPTY_DOCUMENT", `${path} is empty`);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: decodeUtf8(bytes.subarray(3), path), encoding: "utf-8" };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const encoding = bytes[0] === 0xff ? "utf-16le" : "utf-16be";
    return { text: iconv.decode(bytes.subarray(2), encoding), encoding };
  }
  if (looksBinary(bytes)) {
    throw new RagkitError("BINARY_FILE", `${path} looks like binary data, not text; exclude it or give it the right extension`);
  }
  try {
    return { text: UTF8.decode(bytes), encoding: "utf-8" };
  } catch {
    const detected = chardet.detect(bytes);
    if (detected && detected.toLowerCase() !== "utf-8" && iconv.encodingExists(detected)) {
      return { text: iconv.decode(bytes, detected), encoding: detected.toLowerCase() };
    }
    throw new RagkitError("INVALID_ENCODING", `${path} is not valid UTF-8 and its encoding could not be detected; convert it to UTF-8`);
  }
}

function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new RagkitError("INVALID_ENCODING", `${path} starts with a UTF-8 mark but is not valid UTF-8; re-save it as UTF-8`);
  }
}

/** Decoded text that must contain something besides whitespace. */
export function decodeNonEmpty(bytes: Buffer, path: string): DecodedText {
  const decoded = decodeText(bytes, path);
  if (decoded.text.trim().length === 0) throw new RagkitError("EMPTY_DOCUMENT", `${path} has no text`);
  return decoded;
}

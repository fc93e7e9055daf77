import { RagkitError } from "../errors.js";
import { sha256, shortId } from "../text/hash.js";
import type { Document, Metadata } from "../types.js";

export interface DocumentInput {
  /** Defaults to a hash of the source. */
  id?: string;
  /** Where the text came from, for citations; defaults to the id. One of the two is needed. */
  source?: string;
  title?: string;
  text: string;
  metadata?: Metadata;
}

/**
 * Fills in the id (stable for the source), the source (the id when none is given) and the content
 * hash. Documents come from JavaScript callers too, so their shape is checked here rather than
 * left to the store to reject a whole batch for one bad document.
 */
export function makeDocument(input: DocumentInput): Document {
  const { id, source } = checkInput(input);
  const metadata = input.metadata ?? {};
  const title = input.title?.trim() || undefined;
  const text = input.text;
  const contentHash = sha256(text, title ?? "", JSON.stringify(metadata));
  // Two literals, not a conditional spread: a spread costs ~2 µs here, per document ingested.
  return title ? { id, source, title, text, metadata, contentHash } : { id, source, text, metadata, contentHash };
}

function checkInput(input: DocumentInput): { id: string; source: string } {
  const bad = (what: string) =>
    new RagkitError(
      "INVALID_ARGUMENT",
      `A document ${what}; give it { id?, source?, title?, text, metadata? } with text a string and an id or a source`,
    );
  if (typeof input !== "object" || input === null) throw bad("is not an object");
  if (typeof input.text !== "string") throw bad("has no text string");
  for (const key of ["source", "title"] as const) {
    if (input[key] !== undefined && typeof input[key] !== "string") throw bad(`has a ${key} that is not a string`);
  }
  if (input.metadata !== undefined && (typeof input.metadata !== "object" || input.metadata === null || Array.isArray(input.metadata))) {
    throw bad("has metadata that is not an object");
  }
  const id = givenId(input);
  if (id === null) throw bad("has an id that is neither a string nor a number");
  const source = input.source || id;
  if (!source) throw bad("has neither an id nor a source");
  return { id: id || shortId(source), source };
}

/** The caller's id as a string (JavaScript callers number their documents too); null when unusable. */
export function givenId(input: DocumentInput): string | null {
  const id: unknown = input.id;
  if (id === undefined || id === "") return "";
  if (typeof id === "string") return id;
  return typeof id === "number" && Number.isFinite(id) ? String(id) : null;
}

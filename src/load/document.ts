import { sha256, shortId } from "../text/hash.js";
import type { Document, Metadata } from "../types.js";

export interface DocumentInput {
  id?: string;
  source: string;
  title?: string;
  text: string;
  metadata?: Metadata;
}

/** Fills in the id (stable for the source) and the content hash. */
export function makeDocument(input: DocumentInput): Document {
  const metadata = input.metadata ?? {};
  const title = input.title?.trim() || undefined;
  return {
    id: input.id ?? shortId(input.source),
    source: input.source,
    ...(title ? { title } : {}),
    text: input.text,
    metadata,
    contentHash: sha256(input.text, title ?? "", JSON.stringify(metadata)),
  };
}

import type { Chunker } from "../chunk/types.js";
import type { Embedder } from "../embed/types.js";
import { RagkitError } from "../errors.js";
import { ANALYZER_VERSION } from "../text/analyzer.js";
import type { Manifest, Store } from "./types.js";

export const SCHEMA_VERSION = 1;

/**
 * The manifest of the index, checked against the parts this run uses (or written, for a new
 * index): vectors from another embedder or terms from another analyzer must never be mixed in.
 */
export async function checkManifest(
  store: Store,
  embedder: Embedder,
  chunker: Chunker,
  where: string,
  settings: Record<string, string | number>,
): Promise<Manifest> {
  const found = await store.readManifest();
  if (found) {
    if (found.schemaVersion !== SCHEMA_VERSION) {
      throw new RagkitError(
        "INDEX_SCHEMA_MISMATCH",
        `The index at ${where} has schema version ${found.schemaVersion}; this ragkit reads version ${SCHEMA_VERSION}. Re-index into a new directory with \`ragkit ingest <paths> --index NEW_DIR\`.`,
      );
    }
    if (found.embedder.id !== embedder.id || found.embedder.dimensions !== embedder.dimensions) {
      throw new RagkitError(
        "INDEX_EMBEDDER_MISMATCH",
        `The index at ${where} was built with embedder "${found.embedder.id}" (${found.embedder.dimensions} dimensions) but this run uses "${embedder.id}" (${embedder.dimensions}). Leave out --embedder to use the index's own, or switch the index to the new one with \`ragkit reindex --embedder <provider:model>\` (its stored text is embedded again; no file is read).`,
      );
    }
    if (found.analyzer !== ANALYZER_VERSION) {
      throw new RagkitError(
        "INDEX_SCHEMA_MISMATCH",
        `The index at ${where} was analysed with "${found.analyzer}", this ragkit uses "${ANALYZER_VERSION}"; re-index into a new directory.`,
      );
    }
    return found;
  }
  const now = new Date().toISOString();
  const manifest: Manifest = {
    schemaVersion: SCHEMA_VERSION,
    embedder: { id: embedder.id, dimensions: embedder.dimensions, settings },
    analyzer: ANALYZER_VERSION,
    chunker: { key: chunker.key },
    createdAt: now,
    updatedAt: now,
  };
  await store.writeManifest(manifest);
  return manifest;
}

/**
 * A manifest without what only one store knows (a LanceDB folder's chunk table and retired tables;
 * the tuning, whose record is not copied: tune the copy again).
 */
export function portableManifest(manifest: Manifest): Manifest {
  const { chunksTable: _table, retired: _retired, tune: _tune, ...portable } = manifest;
  return portable;
}

/** Meta keys name files on disk and rows in a table: keep them to a safe alphabet. */
export function checkMetaKey(key: string): string {
  if (!/^[a-z0-9][a-z0-9_.-]{0,99}$/.test(key))
    throw new RagkitError("INVALID_ARGUMENT", `"${key}" is not a valid meta key (a-z, 0-9, _ . -)`);
  return key;
}

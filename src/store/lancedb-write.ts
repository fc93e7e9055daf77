import { RagkitError, toRagkitError } from "../errors.js";
import { faultPoint } from "./faults.js";
import { toArrowTable } from "./lancedb-arrow.js";
import type { SavedRows, Tables } from "./lancedb-journal.js";
import { inList } from "./lancedb-rows.js";

/** A LanceDB failure as a ragkit error; a lost optimistic commit race is a conflict to retry. */
export function storeError(error: unknown, context: string): RagkitError {
  const message = error instanceof Error ? error.message : String(error);
  if (/conflict|retryable/i.test(message)) {
    return new RagkitError("STORE_CONFLICT", `${context}: another process wrote to the index at the same time; retry`, {
      cause: error,
    });
  }
  return toRagkitError(error, "STORE_FAILED", context);
}

/**
 * A batch's rows into both tables, chunks first (the journal written before makes the pair one
 * step: see lancedb-journal.ts). `documentIds` are the batch's documents, whose chunks not in
 * `rows` go.
 */
export async function writeRows(tables: Tables, rows: SavedRows, documentIds: string[], allNew: boolean): Promise<void> {
  const chunks = await toArrowTable(tables.chunks, rows.chunks);
  const documents = await toArrowTable(tables.documents, rows.documents);
  if (allNew) {
    // Only new documents: appends. A merge joins against the whole table, so a large index
    // made every batch slower; recovery undoes an interrupted append (see journalUpsert).
    await tables.chunks.add(chunks);
    faultPoint("upsert:chunks-written");
    await tables.documents.add(documents);
  } else {
    // One merge: new and changed chunks in, chunks these documents no longer have out.
    await tables.chunks
      .mergeInsert("id")
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceDelete({ where: inList("doc_id", documentIds) })
      .execute(chunks);
    faultPoint("upsert:chunks-written");
    await tables.documents.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(documents);
  }
  faultPoint("upsert:documents-written");
}

import type { Table } from "@lancedb/lancedb";
import { type AnnOptions, probeCount } from "./ann.js";
import { DocumentIndex } from "./document-index.js";
import { hasLabels, labelPredicate } from "./lancedb-labels.js";
import { inList } from "./lancedb-rows.js";
import { type Row, rowToSummary, SUMMARY_COLUMNS } from "./rows.js";
import type { StoreSearchOptions } from "./types.js";

/**
 * What a LanceDB search is limited to and how deep it looks: the filter as SQL, the document list
 * it is resolved against, and the IVF partitions to probe. The tables are passed on each call,
 * since the store swaps them (a renewed connection, a reindex).
 */
export class SearchScope {
  private listed?: { version: number; index: DocumentIndex };
  private rowsSeen?: { at: number; rows: number };

  constructor(private readonly ann: AnnOptions) {}

  /**
   * The document list with its equality index, read once per documents-table version (a version
   * check is one small file read) instead of on every filtered query.
   */
  async documentIndex(documents: Table): Promise<DocumentIndex> {
    const version = await documents.version();
    if (this.listed?.version !== version) {
      const rows = (await documents.query().select(SUMMARY_COLUMNS).toArray()) as Row[];
      this.listed = { version, index: new DocumentIndex(rows.map(rowToSummary)) };
    }
    return this.listed.index;
  }

  /** IVF partitions a dense search probes: more as the table grows (the row count read every 10 s at most). */
  async probes(chunks: Table): Promise<number> {
    if (!this.rowsSeen || Date.now() - this.rowsSeen.at > 10_000) this.rowsSeen = { at: Date.now(), rows: await chunks.countRows() };
    return probeCount(this.ann, this.rowsSeen.rows);
  }

  /** The search with its metadata filter resolved to document ids (intersected with its own). */
  async withDocumentIds(documents: Table, options: StoreSearchOptions): Promise<StoreSearchOptions> {
    if (!options.metadata || Object.keys(options.metadata).length === 0) return options;
    const matching = (await this.documentIndex(documents)).matching(options.metadata);
    const given = options.documentIds && new Set(options.documentIds);
    return { k: options.k, documentIds: given ? matching.filter((id) => given.has(id)) : matching };
  }

  /**
   * A search's filter as SQL on the chunk table (undefined: none; null: nothing can match). Metadata
   * goes through the labels column; a table written before it had one resolves it to document ids.
   */
  async where(tables: { chunks: Table; documents: Table }, options: StoreSearchOptions): Promise<string | undefined | null> {
    const wanted = options.metadata && Object.keys(options.metadata).length > 0 ? options.metadata : undefined;
    const labelled = wanted && (await hasLabels(tables.chunks));
    const ids = labelled ? options.documentIds : (await this.withDocumentIds(tables.documents, options)).documentIds;
    const parts = labelled ? [labelPredicate(wanted)] : [];
    if (ids?.length === 0) return null;
    if (ids) parts.push(inList("doc_id", ids));
    return parts.length > 0 ? parts.join(" AND ") : undefined;
  }
}

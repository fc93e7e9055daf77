import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Connection, Table } from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from "apache-arrow";
import { toRagkitError } from "../errors.js";
import type { Metadata, StoredChunk } from "../types.js";
import type {
  ChunkRecord,
  DocumentSummary,
  DocumentWrite,
  Manifest,
  ScoredChunk,
  Store,
  StoredDocument,
  StoreSearchOptions,
  StoreStats,
} from "./types.js";

const CHUNKS = "chunks";
const DOCUMENTS = "documents";
const MANIFEST = "manifest.json";
// Written before a write that spans both tables and removed after it, so a crash in between
// is finished (or undone) the next time the index opens.
const JOURNAL = "journal.json";

// Column names are snake_case because LanceDB's SQL folds unquoted identifiers to lower case.
const CHUNK_COLUMNS = ["id", "doc_id", "source", "title", "text", "start_offset", "end_offset", "idx", "metadata"];
const SUMMARY_COLUMNS = ["id", "source", "title", "content_hash", "chunker_key", "metadata", "chunk_count", "chars", "updated_at"];

interface Journal {
  op: "upsert" | "delete";
  documentIds: string[];
}

export interface LanceDbStoreOptions {
  dir: string;
  dimensions: number;
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function inList(column: string, values: string[]): string {
  return `${column} IN (${values.map(quote).join(", ")})`;
}

function chunkSchema(dimensions: number): Schema {
  return new Schema([
    new Field("id", new Utf8(), false),
    new Field("doc_id", new Utf8(), false),
    new Field("source", new Utf8(), false),
    new Field("title", new Utf8(), true),
    new Field("text", new Utf8(), false),
    new Field("start_offset", new Int32(), false),
    new Field("end_offset", new Int32(), false),
    new Field("idx", new Int32(), false),
    new Field("metadata", new Utf8(), false),
    new Field("embed_hash", new Utf8(), false),
    new Field("terms", new Utf8(), false),
    new Field("vector", new FixedSizeList(dimensions, new Field("item", new Float32(), true)), false),
  ]);
}

function documentSchema(): Schema {
  return new Schema([
    new Field("id", new Utf8(), false),
    new Field("source", new Utf8(), false),
    new Field("title", new Utf8(), true),
    new Field("content_hash", new Utf8(), false),
    new Field("chunker_key", new Utf8(), false),
    new Field("metadata", new Utf8(), false),
    new Field("chunk_count", new Int32(), false),
    new Field("chars", new Int32(), false),
    new Field("updated_at", new Float64(), false),
    new Field("text", new Utf8(), false),
  ]);
}

type Row = Record<string, unknown>;

function rowToChunk(row: Row): StoredChunk {
  const title = row.title as string | null;
  return {
    id: row.id as string,
    documentId: row.doc_id as string,
    source: row.source as string,
    ...(title ? { title } : {}),
    text: row.text as string,
    start: row.start_offset as number,
    end: row.end_offset as number,
    index: row.idx as number,
    metadata: JSON.parse(row.metadata as string) as Metadata,
  };
}

function rowToSummary(row: Row): DocumentSummary {
  const title = row.title as string | null;
  return {
    id: row.id as string,
    source: row.source as string,
    ...(title ? { title } : {}),
    contentHash: row.content_hash as string,
    chunkerKey: row.chunker_key as string,
    metadata: JSON.parse(row.metadata as string) as Metadata,
    chunkCount: row.chunk_count as number,
    chars: row.chars as number,
    updatedAt: row.updated_at as number,
  };
}

function chunkToRow(chunk: ChunkRecord): Row {
  return {
    id: chunk.id,
    doc_id: chunk.documentId,
    source: chunk.source,
    title: chunk.title ?? null,
    text: chunk.text,
    start_offset: chunk.start,
    end_offset: chunk.end,
    idx: chunk.index,
    metadata: JSON.stringify(chunk.metadata),
    embed_hash: chunk.embedHash,
    terms: chunk.terms,
    vector: Array.from(chunk.vector),
  };
}

function documentToRow(doc: StoredDocument): Row {
  return {
    id: doc.id,
    source: doc.source,
    title: doc.title ?? null,
    content_hash: doc.contentHash,
    chunker_key: doc.chunkerKey,
    metadata: JSON.stringify(doc.metadata),
    chunk_count: doc.chunkCount,
    chars: doc.chars,
    updated_at: doc.updatedAt,
    text: doc.text,
  };
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

/** The embedded default: LanceDB tables on local disk, BM25 through LanceDB's full-text index. */
export class LanceDbStore implements Store {
  readonly name = "lancedb";
  readonly capabilities = { lexical: true };
  private ftsReady = false;

  private constructor(
    private readonly dir: string,
    private readonly db: Connection,
    private readonly chunks: Table,
    private readonly documents: Table,
    private readonly lancedb: typeof import("@lancedb/lancedb"),
  ) {}

  static async open(options: LanceDbStoreOptions): Promise<LanceDbStore> {
    // LanceDB's Rust logger reads this once, when the module loads: set it first, then import.
    process.env.LANCEDB_LOG ??= "error";
    const lancedb = await import("@lancedb/lancedb");
    const dir = path.resolve(options.dir);
    try {
      await mkdir(dir, { recursive: true });
      const db = await lancedb.connect(path.join(dir, "lance"));
      const names = new Set(await db.tableNames());
      const chunks = names.has(CHUNKS)
        ? await db.openTable(CHUNKS)
        : await db.createEmptyTable(CHUNKS, chunkSchema(options.dimensions), { existOk: true });
      const documents = names.has(DOCUMENTS)
        ? await db.openTable(DOCUMENTS)
        : await db.createEmptyTable(DOCUMENTS, documentSchema(), { existOk: true });
      const store = new LanceDbStore(dir, db, chunks, documents, lancedb);
      await store.recover();
      return store;
    } catch (error) {
      throw toRagkitError(error, "STORE_FAILED", `Could not open the index at ${dir}`);
    }
  }

  async readManifest(): Promise<Manifest | undefined> {
    const file = path.join(this.dir, MANIFEST);
    if (!existsSync(file)) return undefined;
    return JSON.parse(await readFile(file, "utf8")) as Manifest;
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    await this.writeFileAtomic(MANIFEST, JSON.stringify(manifest, null, 2));
  }

  async upsert(writes: DocumentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const ids = writes.map((w) => w.document.id);
    await this.writeJournal({ op: "upsert", documentIds: ids });
    try {
      const rows = writes.flatMap((w) => w.chunks.map(chunkToRow));
      // One merge: new and changed chunks in, chunks these documents no longer have out.
      await this.chunks
        .mergeInsert("id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .whenNotMatchedBySourceDelete({ where: inList("doc_id", ids) })
        .execute(rows);
      await this.documents
        .mergeInsert("id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute(writes.map((w) => documentToRow(w.document)));
      await this.ensureFtsIndex();
    } catch (error) {
      throw toRagkitError(error, "STORE_FAILED", "Writing to the index failed");
    }
    await this.clearJournal();
  }

  async delete(documentIds: string[]): Promise<number> {
    if (documentIds.length === 0) return 0;
    const existing = await this.documents.countRows(inList("id", documentIds));
    await this.writeJournal({ op: "delete", documentIds });
    await this.applyDelete(documentIds);
    await this.clearJournal();
    return existing;
  }

  async searchDense(vector: Float32Array, options: StoreSearchOptions): Promise<ScoredChunk[]> {
    if (options.documentIds?.length === 0) return [];
    let query = this.chunks
      .vectorSearch(Array.from(vector))
      .distanceType("cosine")
      .select([...CHUNK_COLUMNS, "_distance"])
      .limit(options.k);
    if (options.documentIds) query = query.where(inList("doc_id", options.documentIds));
    const rows = (await query.toArray()) as Row[];
    return rows.map((row) => ({ chunk: rowToChunk(row), score: 1 - (row._distance as number) }));
  }

  async searchLexical(terms: string[], options: StoreSearchOptions): Promise<ScoredChunk[]> {
    if (terms.length === 0 || options.documentIds?.length === 0) return [];
    if (!(await this.ensureFtsIndex())) return [];
    let query = this.chunks
      .query()
      .fullTextSearch(this.termQuery(terms))
      .select([...CHUNK_COLUMNS, "_score"])
      .limit(options.k);
    if (options.documentIds) query = query.where(inList("doc_id", options.documentIds));
    const rows = (await query.toArray()) as Row[];
    return rows.map((row) => ({ chunk: rowToChunk(row), score: row._score as number }));
  }

  async getDocument(id: string): Promise<StoredDocument | undefined> {
    const rows = (await this.documents
      .query()
      .where(inList("id", [id]))
      .limit(1)
      .toArray()) as Row[];
    const row = rows[0];
    return row ? { ...rowToSummary(row), text: row.text as string } : undefined;
  }

  async listDocuments(): Promise<DocumentSummary[]> {
    const rows = (await this.documents.query().select(SUMMARY_COLUMNS).toArray()) as Row[];
    return rows.map(rowToSummary);
  }

  async getChunks(documentId: string): Promise<StoredChunk[]> {
    const rows = (await this.chunks
      .query()
      .where(inList("doc_id", [documentId]))
      .select(CHUNK_COLUMNS)
      .toArray()) as Row[];
    return rows.map(rowToChunk).sort((a, b) => a.index - b.index);
  }

  async findVectors(embedHashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    const unique = [...new Set(embedHashes)];
    for (let i = 0; i < unique.length; i += 500) {
      const part = unique.slice(i, i + 500);
      const rows = (await this.chunks.query().where(inList("embed_hash", part)).select(["embed_hash", "vector"]).toArray()) as Row[];
      for (const row of rows) {
        const vector = row.vector as { toArray(): Float32Array };
        found.set(row.embed_hash as string, Float32Array.from(vector.toArray()));
      }
    }
    return found;
  }

  async optimize(): Promise<void> {
    await this.ensureFtsIndex();
    // Old versions are only garbage: every write we make is complete in the newest one.
    await this.chunks.optimize({ cleanupOlderThan: new Date() });
    await this.documents.optimize({ cleanupOlderThan: new Date() });
  }

  async stats(): Promise<StoreStats> {
    return {
      documents: await this.documents.countRows(),
      chunks: await this.chunks.countRows(),
      bytesOnDisk: await directorySize(this.dir),
    };
  }

  async close(): Promise<void> {
    this.chunks.close();
    this.documents.close();
    this.db.close();
  }

  /**
   * BM25 with query-term frequency: a term the question repeats counts that many times (LanceDB
   * would otherwise count it once, which costs ~0.08 nDCG@10 on long queries such as CISI's).
   */
  private termQuery(terms: string[]): import("@lancedb/lancedb").FullTextQuery {
    const { MatchQuery, BooleanQuery, Occur } = this.lancedb;
    const frequency = new Map<string, number>();
    for (const term of terms) frequency.set(term, (frequency.get(term) ?? 0) + 1);
    const byWeight = new Map<number, string[]>();
    for (const [term, weight] of frequency) byWeight.set(weight, [...(byWeight.get(weight) ?? []), term]);
    const parts = [...byWeight].map(
      ([weight, group]) =>
        [Occur.Should, new MatchQuery(group.join(" "), "terms", { boost: weight })] as [
          typeof Occur.Should,
          InstanceType<typeof MatchQuery>,
        ],
    );
    return parts.length === 1 ? (parts[0] as [unknown, InstanceType<typeof MatchQuery>])[1] : new BooleanQuery(parts);
  }

  /** The FTS index can only be built once the table has rows; later rows are searched too. */
  private async ensureFtsIndex(): Promise<boolean> {
    if (this.ftsReady) return true;
    const indices = await this.chunks.listIndices();
    if (indices.some((index) => index.columns.includes("terms"))) {
      this.ftsReady = true;
      return true;
    }
    if ((await this.chunks.countRows()) === 0) return false;
    // Terms arrive analysed (stemmed, stop words out), so LanceDB must only split on spaces.
    await this.chunks.createIndex("terms", {
      config: this.lancedb.Index.fts({
        baseTokenizer: "whitespace",
        lowercase: false,
        stem: false,
        removeStopWords: false,
        asciiFolding: false,
        withPosition: false,
        maxTokenLength: 64,
      }),
    });
    this.ftsReady = true;
    return true;
  }

  private async applyDelete(documentIds: string[]): Promise<void> {
    try {
      for (let i = 0; i < documentIds.length; i += 500) {
        const part = documentIds.slice(i, i + 500);
        await this.documents.delete(inList("id", part));
        await this.chunks.delete(inList("doc_id", part));
      }
    } catch (error) {
      throw toRagkitError(error, "STORE_FAILED", "Deleting from the index failed");
    }
  }

  /**
   * An interrupted delete is finished. An interrupted upsert may have written chunks but not the
   * document rows: chunks without a document row are removed, so the next ingest redoes them
   * and no orphan chunk is ever searchable without its document.
   */
  private async recover(): Promise<void> {
    const file = path.join(this.dir, JOURNAL);
    if (!existsSync(file)) return;
    let journal: Journal;
    try {
      journal = JSON.parse(await readFile(file, "utf8")) as Journal;
    } catch {
      // A torn journal means the crash came before the write it announced began.
      await rm(file, { force: true });
      return;
    }
    if (journal.op === "delete") {
      await this.applyDelete(journal.documentIds);
    } else {
      const present = new Set(
        ((await this.documents.query().where(inList("id", journal.documentIds)).select(["id"]).toArray()) as Row[]).map(
          (row) => row.id as string,
        ),
      );
      const orphans = journal.documentIds.filter((id) => !present.has(id));
      if (orphans.length > 0) await this.chunks.delete(inList("doc_id", orphans));
    }
    await rm(file, { force: true });
  }

  private async writeJournal(journal: Journal): Promise<void> {
    await this.writeFileAtomic(JOURNAL, JSON.stringify(journal));
  }

  private async clearJournal(): Promise<void> {
    await rm(path.join(this.dir, JOURNAL), { force: true });
  }

  private async writeFileAtomic(name: string, content: string): Promise<void> {
    const target = path.join(this.dir, name);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, content);
    await rename(temp, target);
  }
}

export function isIndexDir(dir: string): boolean {
  return existsSync(path.join(dir, MANIFEST));
}

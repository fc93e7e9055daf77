import type { Connection, Session, Table } from "@lancedb/lancedb";
import { type CacheSizes, connectLance, DOCUMENTS, openTables, retireLater, VERSIONS_PER_CONNECTION } from "./lancedb-connection.js";
import { FtsIndex } from "./lancedb-fts.js";
import type { SearchTables } from "./lancedb-search.js";
import type { UpkeepTables } from "./lancedb-upkeep.js";

type LanceDb = typeof import("@lancedb/lancedb");

/**
 * The connection and table handles a LanceDB store works through. They change under it: renewed
 * when the index has moved on by many versions, and switched to another chunk table by a reindex,
 * so the store always asks for them here rather than keeping its own.
 */
export class LanceHandles {
  fts: FtsIndex;
  /** The chunk table's version when the current connection was opened (see `renewIfStale`). */
  private connectedAt = 0;
  private renewing?: Promise<void>;
  private renewalCheckedAt = 0;
  /** Upkeeps running on these handles (see `renewIfStale`). */
  upkeeps = 0;

  private constructor(
    readonly dir: string,
    readonly lancedb: LanceDb,
    private readonly cache: CacheSizes,
    public db: Connection,
    public session: Session,
    public chunks: Table,
    public documents: Table,
    public chunksName: string,
  ) {
    this.fts = new FtsIndex(chunks, lancedb);
  }

  static async open(
    lancedb: LanceDb,
    dir: string,
    cache: CacheSizes,
    chunksName: string,
    tables: (db: Connection) => Promise<{ chunks: Table; documents: Table }>,
  ): Promise<LanceHandles> {
    const { db, session } = await connectLance(lancedb, dir, cache);
    const { chunks, documents } = await tables(db);
    const handles = new LanceHandles(dir, lancedb, cache, db, session, chunks, documents, chunksName);
    handles.connectedAt = await chunks.version();
    return handles;
  }

  search(): SearchTables {
    return { chunks: this.chunks, chunksName: this.chunksName, documents: this.documents, fts: this.fts, lancedb: this.lancedb };
  }

  upkeep(): UpkeepTables {
    return { ...this.search(), dir: this.dir, documentsName: DOCUMENTS };
  }

  /**
   * Replaces the connection (and its caches) once the index has moved on by
   * VERSIONS_PER_CONNECTION versions; one renewal at a time, old handles closed a minute later.
   */
  async renewIfStale(): Promise<void> {
    if (this.renewing) return this.renewing;
    // An upkeep works on the current handles for up to a minute at a million chunks: not under it.
    if (this.upkeeps > 0) return;
    // Asking for the version reads the table's version list: once a second is enough.
    if (Date.now() - this.renewalCheckedAt < 1000) return;
    this.renewalCheckedAt = Date.now();
    if ((await this.chunks.version()) - this.connectedAt < VERSIONS_PER_CONNECTION) return;
    this.renewing = (async () => {
      const { db, session } = await connectLance(this.lancedb, this.dir, this.cache);
      const { chunks, documents } = await openTables(db, this.chunksName);
      retireLater([this.chunks, this.documents, this.db]);
      Object.assign(this, { db, session, chunks, documents, fts: new FtsIndex(chunks, this.lancedb) });
      this.connectedAt = await chunks.version();
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** Searches and writes go to another chunk table from now on (a reindex swapped it in). */
  switchTo(table: Table, name: string): void {
    this.chunks.close();
    this.chunks = table;
    this.chunksName = name;
    this.fts = new FtsIndex(table, this.lancedb);
  }

  close(): void {
    this.chunks.close();
    this.documents.close();
    this.db.close();
  }
}

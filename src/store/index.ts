import path from "node:path";
import type { RagkitConfig } from "../config.js";
import type { AnnOptions } from "./ann.js";
import { LanceDbStore } from "./lancedb.js";
import { readManifestAt } from "./lancedb-meta.js";
import { isPostgresUrl, pgWhere, redactUrl } from "./postgres-schema.js";
import type { LockOptions, Manifest, Store } from "./types.js";

/**
 * The registry: where an index lives, from the config. `store.url` names a PostgreSQL database
 * (postgres:// or postgresql://); otherwise the index is the LanceDB folder `dir`. The Postgres
 * client is imported only when one is named.
 */
export interface StoreLocation {
  /** For messages: the folder, or the URL without its password and the schema. */
  readonly describe: string;
  /** What names this index on the command line, for hints in messages. */
  readonly flag: string;
  /** The manifest of the index there, or undefined when there is no index yet. */
  manifest(): Promise<Manifest | undefined>;
  /** Opens (creating when new) the index for vectors of `dimensions`. */
  open(dimensions: number): Promise<Store>;
  /** Creates or upgrades the store's schema; undefined for a store that has none to manage. */
  migrate(): Promise<{ from: number; to: number } | undefined>;
}

export function storeLocation(config: RagkitConfig, dir: string, lock?: LockOptions): StoreLocation {
  const s = config.store;
  const ann: AnnOptions = { minRows: s.annMinRows, probes: s.annProbes, refine: s.annRefine };
  if (s.url) {
    const { url, schema, poolSize, indexBuildMemory } = s;
    return {
      describe: pgWhere(url, schema),
      flag: `--store ${redactUrl(url)}${schema === "ragkit" ? "" : ` --store-schema ${schema}`}`,
      manifest: async () => (await import("./postgres-connection.js")).readPgManifest(url, schema),
      open: async (dimensions) =>
        (await import("./postgres.js")).PostgresStore.open({ url, schema, dimensions, poolSize, ann, indexBuildMemory }),
      migrate: async () => (await import("./postgres-connection.js")).migratePg(url, schema),
    };
  }
  return {
    describe: dir,
    flag: `--index ${dir}`,
    manifest: async () => readManifestAt(dir),
    open: (dimensions) =>
      LanceDbStore.open({
        dir,
        dimensions,
        cache: { indexBytes: s.indexCacheMb * 2 ** 20, metadataBytes: s.metadataCacheMb * 2 ** 20 },
        denseCacheBytes: s.denseCacheMb * 2 ** 20,
        mallocArenaMax: s.mallocArenaMax,
        ann,
        ...(lock ? { lock } : {}),
      }),
    // A LanceDB folder is created by its first ingest and read by any version since.
    migrate: async () => undefined,
  };
}

/** A store named on the command line (`copy --from/--to`): a postgres:// URL, or else a LanceDB folder. */
export function namedLocation(config: RagkitConfig, target: string, schema?: string): StoreLocation {
  const url = isPostgresUrl(target) ? target : "";
  const store = { ...config.store, url, schema: schema ?? config.store.schema };
  return storeLocation({ ...config, store }, path.resolve(target));
}

import { afterAll, beforeAll } from "vitest";
import { LanceDbStore } from "../src/store/lancedb.js";
import { PostgresStore } from "../src/store/postgres.js";
import { testStore } from "./conformance/store.js";
import { tempDir } from "./helpers/fs.js";
import { type PgServer, startPostgres } from "./helpers/postgres.js";

testStore("lancedb (a temp folder)", async () => {
  const dir = await tempDir();
  return { open: (dimensions) => LanceDbStore.open({ dir, dimensions }), cleanup: async () => undefined };
});

let pg: PgServer | undefined;
let schemas = 0;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

testStore("postgres + pgvector (PGlite over the wire protocol, through the pg client)", async () => {
  const schema = `conformance_${++schemas}`;
  const url = (pg as PgServer).url;
  // annMinRows 1: the HNSW index is built at the first optimize, so search goes through it.
  return {
    open: (dimensions) => PostgresStore.open({ url, schema, dimensions, ann: { minRows: 1, probes: 20, refine: 2 } }),
    cleanup: async () => undefined,
  };
});

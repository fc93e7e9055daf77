import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataConditions } from "../src/store/postgres-search.js";
import { type PgServer, startPostgres } from "./helpers/postgres.js";

// What a metadata filter means (the Postgres store's rule, and the LanceDB store's): the value's
// text equals the filter's, or the value is an array with an element whose text does.
const EXACT = `(metadata->>$1 = $2 OR (jsonb_typeof(metadata->$1) = 'array'
  AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(metadata->$1) e WHERE e = $2)))`;

const scalar = fc.oneof(
  fc.constantFrom(
    "5",
    "true",
    "null",
    "a b",
    'say "hi"',
    "C:\\dir",
    "[1]",
    '{"x":1}',
    "é",
    "🙂",
    " 5",
    "5.0",
    "1e3",
    "12345678901234567890",
  ),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(2.5, 5, 1000, -0, true, false, null),
);
// Stored values as JSON text, so a number past 2^53 is stored exactly, as another writer may have.
const json = fc.oneof(
  scalar.map((v) => JSON.stringify(v)),
  fc.constantFrom("12345678901234567890", "5.0", "1e3"),
);
const value = fc.oneof(
  json,
  fc.array(json, { maxLength: 3 }).map((items) => `[${items.join(",")}]`),
  fc.dictionary(fc.constantFrom("x", "y"), scalar, { maxKeys: 2 }).map((o) => JSON.stringify(o)),
);

let server: PgServer | undefined;
let pool: pg.Pool | undefined;
beforeAll(async () => {
  server = await startPostgres("", { vector: false });
  pool = new pg.Pool({ connectionString: server.url, max: 1 });
  await pool.query("CREATE TABLE docs (id int PRIMARY KEY, metadata jsonb NOT NULL)");
  await pool.query("CREATE INDEX docs_metadata ON docs USING gin (metadata jsonb_path_ops)");
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe("Postgres metadata filters", () => {
  it("find exactly the documents the filter means, for any stored value and filter text: the containments a condition starts with never drop one", async () => {
    const db = pool as pg.Pool;
    await fc.assert(
      fc.asyncProperty(
        fc.array(value, { minLength: 1, maxLength: 8 }),
        fc.oneof(scalar, fc.string({ maxLength: 8 })),
        async (stored, wanted) => {
          await db.query("TRUNCATE docs");
          for (const [i, v] of stored.entries()) await db.query("INSERT INTO docs VALUES ($1, $2::jsonb)", [i, `{"k": ${v}}`]);
          const text = String(wanted);
          const exact = await db.query<{ id: number }>(`SELECT id FROM docs WHERE ${EXACT} ORDER BY id`, ["k", text]);
          const params: unknown[] = [];
          const [condition] = metadataConditions({ k: text }, params);
          const found = await db.query<{ id: number }>(`SELECT id FROM docs WHERE ${condition} ORDER BY id`, params);
          expect(found.rows).toEqual(exact.rows);
        },
      ),
      { numRuns: 150 },
    );
  });
});

import type { SearchFilter } from "../types.js";
import { bm25TopQuery } from "./postgres-bm25.js";
import { vectorLiteral } from "./postgres-rows.js";
import type { PgNames } from "./postgres-schema.js";
import type { StoreSearchOptions } from "./types.js";

// What a ranking reads of a chunk: enough to fuse and collapse; `readChunks` reads the rest of those kept.
const RANK_COLUMNS = "id, doc_id";

/** A query and its values, for the store to run. */
export interface Sql {
  text: string;
  values: unknown[];
}

/**
 * Conditions on the documents table's metadata, one per wanted value (an array value holds each
 * element; a value matches as text, so "5" finds the number 5); values added to `params`. Each
 * starts with JSON containments that cover every value it matches, which the GIN index on
 * `metadata` answers, and the exact test rechecks only the documents they find.
 */
export function metadataConditions(metadata: NonNullable<SearchFilter["metadata"]>, params: unknown[]): string[] {
  return Object.entries(metadata).map(([key, value]) => {
    const contains = containments(key, String(value)).map((json) => {
      params.push(json);
      return `metadata @> $${params.length}::jsonb`;
    });
    params.push(key, String(value));
    const [k, v] = [`$${params.length - 1}`, `$${params.length}`];
    return `((${contains.join(" OR ")}) AND (metadata->>${k} = ${v} OR (jsonb_typeof(metadata->${k}) = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(metadata->${k}) e WHERE e = ${v}))))`;
  });
}

/** JSON objects one of which every document whose `key` matches `text` contains: as a string, or as the JSON it spells (5, true), alone or in an array. */
function containments(key: string, text: string): string[] {
  const k = JSON.stringify(key);
  const values = [JSON.stringify(text)];
  // The JSON goes in as written, not re-serialised: 12345678901234567890 stays exact in jsonb.
  if (storableJson(text)) values.push(text.trim());
  return values.flatMap((v) => [`{${k}:${v}}`, `{${k}:[${v}]}`]);
}

/**
 * JSON other than a string that jsonb takes too. It refuses \u0000 and lone surrogates, and
 * numbers past its range (1e200000), none of which a stored value's text can be, so leaving those
 * out loses no match.
 */
function storableJson(text: string): boolean {
  if (/\\u(0000|d[89a-f])/i.test(text)) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "number" && !Number.isFinite(parsed) && /e/i.test(text)) return false;
    return typeof parsed !== "string";
  } catch {
    return false;
  }
}

/** Conditions on the documents table: these ids (when given) and this metadata; values added to `params`. */
export function documentConditions(ids: readonly string[] | undefined, metadata: SearchFilter["metadata"], params: unknown[]): string[] {
  const where: string[] = [];
  if (ids) {
    params.push(ids);
    where.push(`id = ANY($${params.length})`);
  }
  return [...where, ...metadataConditions(metadata ?? {}, params)];
}

/**
 * The documents a search is limited to, as a condition on `column` (a chunk's document id) inside
 * the search's own query: its ids, and its metadata filter as a subquery on the documents table.
 * The values are added to `params`.
 */
function scope(n: PgNames, options: StoreSearchOptions): (column: string, params: unknown[]) => string | undefined {
  return (column, params) => {
    const parts: string[] = [];
    if (options.documentIds) {
      params.push(options.documentIds);
      parts.push(`${column} = ANY($${params.length})`);
    }
    const metadata = metadataConditions(options.metadata ?? {}, params);
    if (metadata.length > 0) parts.push(`${column} IN (SELECT id FROM ${n.documents} WHERE ${metadata.join(" AND ")})`);
    return parts.length > 0 ? parts.join(" AND ") : undefined;
  };
}

// Above this many matching documents a metadata filter stays a subquery: sending the ids costs
// more than it saves.
const MAX_RESOLVED_IDS = 50_000;

/**
 * A metadata filter as the ids of the documents it allows, when there are not too many: PostgreSQL
 * cannot estimate how many documents a jsonb condition keeps, and with the condition as a subquery
 * it looked each BM25 posting's document up one by one (filtered hybrid p50 1.3 s at 100,000
 * chunks, twice the unfiltered search); given the ids it hashes them (0.26 s for that ranking).
 */
export async function resolveMetadata(
  n: PgNames,
  options: StoreSearchOptions,
  run: (sql: Sql) => Promise<Array<{ id: string }>>,
  max = MAX_RESOLVED_IDS,
): Promise<StoreSearchOptions> {
  if (!options.metadata || Object.keys(options.metadata).length === 0) return options;
  const values: unknown[] = [];
  const where = documentConditions(options.documentIds, options.metadata, values);
  const ids = (await run({ text: `SELECT id FROM ${n.documents} WHERE ${where.join(" AND ")} LIMIT ${max + 1}`, values })).map((r) => r.id);
  if (ids.length > max) return options;
  const { metadata: _resolved, ...rest } = options;
  return { ...rest, documentIds: ids };
}

/** The k nearest chunks by cosine (through the HNSW index once there is one): ids, document ids and `score`. */
export function denseSql(n: PgNames, vector: Float32Array, options: StoreSearchOptions): Sql {
  const values: unknown[] = [vectorLiteral(vector), options.k];
  const where = scope(n, options)("doc_id", values);
  const text = `SELECT ${RANK_COLUMNS}, 1 - (vector <=> $1::vector) AS score FROM ${n.chunks}
     ${where ? `WHERE ${where}` : ""} ORDER BY vector <=> $1::vector LIMIT $2`;
  return { text, values };
}

/** BM25's best chunks (postgres-bm25.ts scores them) with their document ids and `score`, in one query. */
export function lexicalSql(n: PgNames, terms: string[], options: StoreSearchOptions): Sql {
  const top = bm25TopQuery(n, terms, options.k, scope(n, options));
  const text = `SELECT ${RANK_COLUMNS}, top.score FROM (${top.text}) top JOIN ${n.chunks} ON id = top.chunk_id
     ORDER BY top.score DESC, top.chunk_id`;
  return { text, values: top.values };
}

import type { Table } from "@lancedb/lancedb";
import {
  Table as ArrowTable,
  type Data,
  DataType,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  List,
  makeData,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
} from "apache-arrow";
import type { Row } from "./rows.js";

/**
 * Rows to an Arrow table of the LanceDB table's own schema, built column by column from flat
 * buffers. Given plain objects, LanceDB fills Arrow builders value by value, and the vector column
 * had to be copied into a number array first: for 10,000 short chunks that was ~0.6 s of CPU on
 * every ingest call, more than the append itself.
 */
export async function toArrowTable(table: Table, rows: Row[]): Promise<ArrowTable> {
  const schema = await tableSchema(table);
  const children = schema.fields.map((field) => column(field, rows));
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new ArrowTable(schema, new RecordBatch(schema, data));
}

const schemas = new WeakMap<Table, Promise<Schema>>();

/**
 * The table's schema in this module's Arrow classes, asked once per handle (a column added later
 * comes with a reopened handle). Shared by everything that needs a table's columns.
 */
export function tableSchema(table: Table): Promise<Schema> {
  let schema = schemas.get(table);
  if (!schema) {
    schema = table.schema().then((theirs) => new Schema(theirs.fields.map(ownField), theirs.metadata));
    schemas.set(table, schema);
  }
  return schema;
}

/**
 * The field in this module's Arrow classes: LanceDB (CommonJS) loads its own copy of apache-arrow,
 * whose types fail `instanceof` here, so they are matched by type id.
 */
function ownField(field: Field): Field {
  return new Field(field.name, ownType(field.type), field.nullable, field.metadata);
}

function ownType(type: DataType): DataType {
  if (DataType.isUtf8(type)) return new Utf8();
  if (DataType.isInt(type) && type.bitWidth === 32 && type.isSigned) return new Int32();
  if (DataType.isFloat(type) && type.precision === Precision.DOUBLE) return new Float64();
  if (DataType.isFloat(type) && type.precision === Precision.SINGLE) return new Float32();
  const child = type.children?.[0] as Field | undefined;
  if (DataType.isFixedSizeList(type) && child) return new FixedSizeList(type.listSize, ownField(child));
  if (DataType.isList(type) && child) return new List(ownField(child));
  throw new Error(`the index has a column of a type ragkit does not write: ${String(type)}`);
}

function column(field: Field, rows: Row[]): Data {
  const values = rows.map((row) => row[field.name] ?? null);
  const type: DataType = field.type;
  if (type instanceof Utf8) return utf8(type, values);
  // A null number is stored as 0 behind the validity bitmap, which is what readers look at.
  const numbers = <T extends Int32Array | Float64Array>(data: T) => {
    for (const [i, v] of values.entries()) data[i] = v === null ? 0 : Number(v);
    return { length: rows.length, ...validity(values), data };
  };
  if (type instanceof Int32) return makeData({ type, ...numbers(new Int32Array(rows.length)) });
  if (type instanceof Float64) return makeData({ type, ...numbers(new Float64Array(rows.length)) });
  if (type instanceof FixedSizeList && type.children[0]?.type instanceof Float32) return floatLists(type, values);
  if (type instanceof List && type.children[0]?.type instanceof Utf8) return stringLists(type, values);
  throw new Error(`ragkit does not write columns of type ${String(type)}`);
}

/** Which values are present, as Arrow's validity bitmap, or undefined when all are. */
function validity(values: unknown[]): { nullCount: number; nullBitmap?: Uint8Array } {
  const nulls = values.reduce<number>((n, v) => (v === null ? n + 1 : n), 0);
  if (nulls === 0) return { nullCount: 0 };
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (const [i, v] of values.entries()) if (v !== null) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  return { nullCount: nulls, nullBitmap: bitmap };
}

function utf8(type: Utf8, values: unknown[]): Data<Utf8> {
  const offsets = new Int32Array(values.length + 1);
  let bytes = 0;
  for (const [i, v] of values.entries()) {
    if (v !== null) bytes += Buffer.byteLength(String(v), "utf8");
    offsets[i + 1] = bytes;
  }
  const data = Buffer.alloc(bytes);
  for (const [i, v] of values.entries()) if (v !== null) data.write(String(v), offsets[i] as number, "utf8");
  return makeData({ type, length: values.length, ...validity(values), valueOffsets: offsets, data });
}

function floatLists(type: FixedSizeList, values: unknown[]): Data<FixedSizeList> {
  const size = type.listSize;
  const flat = new Float32Array(values.length * size);
  for (const [i, v] of values.entries()) {
    const vector = v as ArrayLike<number> | null;
    if (vector && vector.length !== size) throw new Error(`a vector of ${vector.length} numbers for a column of ${size}`);
    if (vector) flat.set(vector, i * size);
  }
  const child = makeData({ type: type.children[0]?.type as Float32, length: flat.length, nullCount: 0, data: flat });
  return makeData({ type, length: values.length, ...validity(values), child });
}

function stringLists(type: List, values: unknown[]): Data<List> {
  const offsets = new Int32Array(values.length + 1);
  const items: string[] = [];
  for (const [i, v] of values.entries()) {
    if (Array.isArray(v)) for (const item of v) items.push(String(item));
    offsets[i + 1] = items.length;
  }
  const child = utf8(type.children[0]?.type as Utf8, items);
  return makeData({ type, length: values.length, ...validity(values), valueOffsets: offsets, child });
}

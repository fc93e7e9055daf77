import { RagkitError } from "../errors.js";
import type { CallerEmbedder, Embedder } from "./types.js";
import { unitVector } from "./unit-vector.js";

const DEFAULT_BATCH = 64;
const MAX_DIMENSIONS = 65_536;

/**
 * An embedder passed to `Rag.open` or `reindex` by the caller, checked once and wrapped: the batch
 * size and concurrency default when missing (without them a batch loop never runs and documents
 * vanish without an error), and every batch's vectors are checked (one per text, the declared
 * length, finite, not all zero), made Float32Array and unit length (dense search compares by dot
 * product). A bad batch is EMBEDDING_FAILED saying what was wrong, so nothing malformed is stored.
 */
export function callerEmbedder(given: CallerEmbedder): Embedder {
  const bad = (what: string) =>
    new RagkitError("INVALID_ARGUMENT", `The embedder given ${what}; it needs { id: string, dimensions: number, embed(texts, purpose) }`);
  if (typeof given !== "object" || given === null) throw bad("is not an object");
  if (typeof given.id !== "string" || given.id.trim() === "") throw bad("has no id");
  const { dimensions } = given;
  if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions > MAX_DIMENSIONS) throw bad(`has dimensions ${String(dimensions)}`);
  if (typeof given.embed !== "function") throw bad("has no embed function");
  const positive = (n: number | undefined, fallback: number) => (Number.isInteger(n) && (n as number) > 0 ? (n as number) : fallback);
  return {
    id: given.id,
    dimensions,
    maxBatchSize: positive(given.maxBatchSize, DEFAULT_BATCH),
    concurrency: positive(given.concurrency, 1),
    ...(given.maxInputChars !== undefined ? { maxInputChars: given.maxInputChars } : {}),
    ...(given.tokenizer ? { tokenizer: given.tokenizer } : {}),
    embed: async (texts, purpose) => checkVectors(await given.embed(texts, purpose), texts.length, given.id, dimensions),
    ...(given.warm ? { warm: () => (given.warm as () => Promise<void>).call(given) } : {}),
    close: async () => {
      await given.close?.call(given);
    },
  };
}

function checkVectors(vectors: unknown, count: number, id: string, dimensions: number): Float32Array[] {
  const fail = (what: string) => new RagkitError("EMBEDDING_FAILED", `Embedder ${id} ${what}; nothing from this batch was stored`);
  if (!Array.isArray(vectors)) throw fail("did not return an array of vectors");
  if (vectors.length !== count) throw fail(`returned ${vectors.length} vectors for ${count} texts`);
  return vectors.map((vector: ArrayLike<number>, i) => {
    if (vector?.length !== dimensions) throw fail(`returned a vector of ${vector?.length ?? "no"} numbers at ${i}, not ${dimensions}`);
    const unit = unitVector(vector);
    if (!unit) throw fail(`returned a vector that is all zeros or not finite at ${i}`);
    return unit;
  });
}

import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { RagkitError } from "../errors.js";
import type { IngestProgress, IngestReport } from "../ingest/types.js";
import type { DocumentInput } from "../load/document.js";
import type { Rag } from "../rag.js";
import type { Qrels } from "./metrics.js";

export interface BeirDocument {
  _id: string;
  title?: string;
  text: string;
}

export interface BeirQuery {
  _id: string;
  text: string;
}

export function beirPaths(dir: string, split = "test") {
  const root = path.resolve(dir);
  const paths = {
    root,
    corpus: path.join(root, "corpus.jsonl"),
    queries: path.join(root, "queries.jsonl"),
    qrels: path.join(root, "qrels", `${split}.tsv`),
  };
  for (const file of [paths.corpus, paths.queries, paths.qrels]) {
    if (!existsSync(file)) {
      throw new RagkitError(
        "DATASET_INVALID",
        `${file} is missing; a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/${split}.tsv`,
      );
    }
  }
  return paths;
}

/** Streams a JSONL file record by record, so a large corpus is never held as one string. */
export async function* readJsonl<T>(file: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim().length === 0) continue;
    try {
      yield JSON.parse(line) as T;
    } catch (error) {
      throw new RagkitError("DATASET_INVALID", `${file} line ${n} is not valid JSON: ${(error as Error).message}`);
    }
  }
}

export async function readQrels(file: string): Promise<Qrels> {
  const qrels: Qrels = new Map();
  const lines = (await readFile(file, "utf8")).split(/\r?\n/);
  lines.forEach((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || (i === 0 && !/^-?\d+$/.test(fields[2] as string))) return;
    const [queryId, docId, score] = fields as [string, string, string];
    if (!qrels.has(queryId)) qrels.set(queryId, new Map());
    (qrels.get(queryId) as Map<string, number>).set(docId, Number(score));
  });
  return qrels;
}

export type CorpusIngest = Pick<IngestReport, "added" | "updated" | "unchanged" | "chunksEmbedded" | "failed">;

const INGEST_SLICE = 5000;

/**
 * Ingests a corpus JSONL ({_id, title, text}) with `_id` as document id, a slice at a time so a
 * large corpus never sits in memory; unchanged documents are skipped on re-runs.
 */
export async function ingestCorpus(rag: Rag, file: string, onProgress?: (progress: IngestProgress) => void): Promise<CorpusIngest> {
  const total: CorpusIngest = { added: 0, updated: 0, unchanged: 0, chunksEmbedded: 0, failed: [] };
  let slice: DocumentInput[] = [];
  const flush = async () => {
    if (slice.length === 0) return;
    const report = await rag.ingest(slice, onProgress ? { onProgress } : {});
    total.added += report.added;
    total.updated += report.updated;
    total.unchanged += report.unchanged;
    total.chunksEmbedded += report.chunksEmbedded;
    total.failed.push(...report.failed);
    slice = [];
  };
  for await (const doc of readJsonl<BeirDocument>(file)) {
    slice.push({ id: String(doc._id), source: `${file}#${doc._id}`, ...(doc.title ? { title: doc.title } : {}), text: doc.text ?? "" });
    if (slice.length >= INGEST_SLICE) await flush();
  }
  await flush();
  return total;
}

import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { RagkitError } from "../errors.js";
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

import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { RagkitError } from "../errors.js";
import { type Dtype, hubEndpoint, type LocatedModel, modelLocation, ONNX_FILE } from "./transformers.js";

export interface DownloadProgress {
  file: string;
  /** Bytes of this file so far, and its size when the server says it. */
  loaded: number;
  total: number;
  filesDone: number;
  filesTotal: number;
}

let listener: ((p: DownloadProgress & { model: string }) => void) | undefined;

/** Who hears about downloads no caller asked to follow (the CLI draws a bar from it). */
export function onModelDownload(fn: ((p: DownloadProgress & { model: string }) => void) | undefined): void {
  listener = fn;
}

// What transformers.js reads to run a feature-extraction or text-classification model.
const OPTIONAL = new Set(["special_tokens_map.json"]);
const filesOf = (dtype: Dtype) => [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  `onnx/${ONNX_FILE[dtype]}`,
];

/** Whether a hub model is already whole in the cache (a local folder always counts as present). */
export function isDownloaded(located: LocatedModel, dtype: Dtype): boolean {
  if (located.local) return true;
  return filesOf(dtype)
    .filter((f) => !OPTIONAL.has(f))
    .every((f) => existsSync(path.join(located.folder, f)));
}

/**
 * Downloads a hub model's files into the models directory, in the layout transformers.js reads its
 * file cache from (`<cache>/<model>/<file>`), so later runs load it offline. Each file is written to
 * a temporary name and renamed when complete: an interrupted download never leaves a torn model.
 */
export async function downloadModel(
  located: LocatedModel,
  model: string,
  dtype: Dtype,
  onProgress?: (p: DownloadProgress) => void,
): Promise<string[]> {
  const folder = located.folder;
  const files = filesOf(dtype);
  const fetched: string[] = [];
  for (const [i, file] of files.entries()) {
    const target = path.join(folder, file);
    if (existsSync(target)) continue;
    const url = `${hubEndpoint()}/${model}/resolve/main/${file}`;
    const token = process.env.HF_TOKEN;
    let response: Response;
    try {
      response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, redirect: "follow" });
    } catch (error) {
      throw new RagkitError(
        "MODEL_NOT_FOUND",
        `${model} is not in ${located.cacheDir} and could not be downloaded from ${hubEndpoint()} (${(error as Error).message}); run once with internet access, or pass a local model folder`,
        { cause: error },
      );
    }
    if (response.status === 404 && OPTIONAL.has(file)) continue;
    if (!response.ok || !response.body) {
      throw new RagkitError(
        "MODEL_NOT_FOUND",
        `${model}: ${url} answered ${response.status}${response.status === 401 || response.status === 403 ? " (a gated or private model needs HF_TOKEN)" : ""}; check the model id, or pass a local model folder`,
      );
    }
    const total = Number(response.headers.get("content-length") ?? 0);
    let loaded = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        loaded += chunk.length;
        const progress = { file, loaded, total, filesDone: i, filesTotal: files.length };
        if (onProgress) onProgress(progress);
        else listener?.({ ...progress, model });
        done(null, chunk);
      },
    });
    await mkdir(path.dirname(target), { recursive: true });
    const part = `${target}.${process.pid}.part`;
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), count, createWriteStream(part));
      await rename(part, target);
    } catch (error) {
      await rm(part, { force: true });
      throw new RagkitError("MODEL_NOT_FOUND", `${model}: downloading ${file} failed (${(error as Error).message}); run again to retry`, {
        cause: error,
      });
    }
    fetched.push(file);
  }
  return fetched;
}

/** `ragkit models pull transformers:<id>` (or `cross-encoder:<id>`): the model's folder once downloaded. */
export async function pullHubModel(
  spec: string,
  dtype: Dtype,
  onProgress?: (p: DownloadProgress & { model: string }) => void,
): Promise<string> {
  const at = spec.indexOf(":");
  const provider = spec.slice(0, at);
  const model = spec.slice(at + 1);
  if (at < 0 || !["transformers", "cross-encoder"].includes(provider) || !model) {
    throw new RagkitError(
      "INVALID_ARGUMENT",
      `Pull transformers:<hub id> or cross-encoder:<hub id> (e.g. transformers:Xenova/all-MiniLM-L6-v2), not "${spec}"`,
    );
  }
  const located = modelLocation(model, dtype);
  if (located.local) throw new RagkitError("INVALID_ARGUMENT", `${model} is a local folder: nothing to download`);
  await downloadModel(located, model, dtype, onProgress && ((p) => onProgress({ ...p, model })));
  return located.folder;
}

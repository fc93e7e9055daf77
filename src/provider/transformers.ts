import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { RagkitError } from "../errors.js";

export type Transformers = typeof import("@huggingface/transformers");

export function isLocalModel(model: string): boolean {
  return model.startsWith(".") || path.isAbsolute(model) || existsSync(model);
}

/** transformers.js, imported only when a provider that needs it is chosen (an optional dependency). */
export async function importTransformers(): Promise<Transformers> {
  try {
    return await import("@huggingface/transformers");
  } catch (error) {
    throw new RagkitError("MODEL_NOT_FOUND", "This provider needs @huggingface/transformers: npm install @huggingface/transformers", {
      cause: error,
    });
  }
}

export type Dtype = "fp32" | "fp16" | "q8";

/** The hub to download from: huggingface.co, or a mirror named by HF_ENDPOINT (as the hub's own tools read it). */
export function hubEndpoint(): string {
  return (process.env.HF_ENDPOINT || "https://huggingface.co").replace(/\/+$/, "");
}

export const ONNX_FILE: Record<Dtype, string> = { fp32: "model.onnx", fp16: "model_fp16.onnx", q8: "model_quantized.onnx" };

export interface LocatedModel {
  /** The name transformers.js loads (a folder's base name, or the hub id). */
  name: string;
  /** The model's folder: its own, or its place in the models directory (filled by a download). */
  folder: string;
  local: boolean;
  cacheDir: string;
}

/**
 * Points transformers.js at a model: a local folder (offline, checked for its ONNX file) or a hub
 * id (downloaded once into the models directory). transformers.js finds models by a root and a
 * name, so a folder is loaded as a child of its parent.
 */
export function locateModel(t: Transformers, model: string, dtype: Dtype, cacheDir?: string): LocatedModel {
  const located = modelLocation(model, dtype, cacheDir);
  t.env.allowRemoteModels = !located.local;
  t.env.allowLocalModels = true;
  if (located.local) t.env.localModelPath = path.dirname(located.folder);
  t.env.cacheDir = located.cacheDir;
  // A mirror (HF_ENDPOINT) for the downloads transformers.js would make itself.
  if (process.env.HF_ENDPOINT) t.env.remoteHost = `${hubEndpoint()}/`;
  return located;
}

/** Where a model is: its own folder, or its place in the models directory (checked for a folder's ONNX file). */
export function modelLocation(model: string, dtype: Dtype, cacheDir?: string): LocatedModel {
  const local = isLocalModel(model);
  const cache = cacheDir ?? path.join(process.env.RAGKIT_MODELS_DIR ?? path.join(homedir(), ".cache", "ragkit", "models"), "transformers");
  const folder = local ? path.resolve(model) : undefined;
  if (folder && !existsSync(path.join(folder, "onnx", ONNX_FILE[dtype]))) {
    throw new RagkitError(
      "MODEL_NOT_FOUND",
      `${folder} is not a transformers.js model folder: it needs config.json, tokenizer.json and onnx/${ONNX_FILE[dtype]} (export one with optimum-cli export onnx)`,
    );
  }
  return {
    name: folder ? path.basename(folder) : model,
    local,
    cacheDir: cache,
    folder: folder ?? path.join(cache, model),
  };
}

/** A failed model load as MODEL_NOT_FOUND with what to do about it. */
export function loadError(located: LocatedModel, model: string, error: unknown): RagkitError {
  const reason = error instanceof Error ? error.message : String(error);
  return new RagkitError(
    "MODEL_NOT_FOUND",
    located.local
      ? `${located.folder} could not be loaded as a model: ${reason}`
      : `${model} is not in ${located.cacheDir} and could not be downloaded (${reason}); run once with internet access, or pass a local model folder`,
    { cause: error },
  );
}

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { LlamaCppGenerator } from "../../src/generate/llama-cpp.js";
import { tempDir } from "./fs.js";
import { makeTinyGguf, type TinyGgufOptions } from "./gguf.js";

/** Writes a tiny GGUF into a temp dir and returns its path. */
export async function tinyModelFile(options: TinyGgufOptions = {}): Promise<string> {
  const file = path.join(await tempDir("ragkit-model-"), options.favour ? "tiny-favour.gguf" : "tiny.gguf");
  await writeFile(file, makeTinyGguf(options));
  return file;
}

export async function tinyGenerator(options: TinyGgufOptions = {}): Promise<LlamaCppGenerator> {
  return LlamaCppGenerator.load({ model: await tinyModelFile(options), contextSize: 1024, threads: 2 });
}

import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { defaultModelsDir, resolveModelPath } from "../../generate/llama-cpp.js";
import { Rag } from "../../rag.js";
import { printJson } from "../common.js";
import { downloadProgress } from "../progress.js";

export function registerModels(program: Command): void {
  const models = program
    .command("models")
    .description("models kept locally: GGUF files for --model, transformers.js models for --embedder and --rerank");
  models
    .command("pull")
    .description(
      "download a model into the models directory: hf:<user>/<repo>/<file>.gguf, transformers:<hub id> or cross-encoder:<hub id>",
    )
    .argument(
      "<uri>",
      "e.g. hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf, transformers:Xenova/all-MiniLM-L6-v2",
    )
    .option("--dir <dir>", "models directory (default ~/.cache/ragkit/models or RAGKIT_MODELS_DIR)")
    .option("--dtype <dtype>", "transformers models: fp32 (default), fp16 or q8")
    .action(async (uri: string, options: { dir?: string; dtype?: "fp32" | "fp16" | "q8" }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      if (/^(transformers|cross-encoder):/.test(uri)) {
        if (options.dir) process.env.RAGKIT_MODELS_DIR = options.dir;
        const folder = await Rag.pullModel(uri, { ...(options.dtype ? { dtype: options.dtype } : {}), onProgress: downloadProgress() });
        if (json) printJson({ uri, path: folder });
        else
          process.stdout.write(
            `${folder}\nUse it with: ragkit ingest ./docs --embedder ${uri.replace(/^cross-encoder:/, "transformers:")} (or --rerank cross-encoder:…)\n`,
          );
        return;
      }
      const dir = options.dir ?? defaultModelsDir();
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: "pull [{bar}] {percentage}% | {value}/{total} MB" },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let started = false;
      const file = await resolveModelPath(uri, dir, true, (done, total) => {
        if (!bar) return;
        if (!started) {
          bar.start(Math.round(total / 1e6), 0);
          started = true;
        }
        bar.update(Math.round(done / 1e6));
      });
      bar?.stop();
      if (json) printJson({ uri, path: file });
      else process.stdout.write(`${file}\nUse it with: ragkit ask "…" --model ${uri}\n`);
    });
  models
    .command("list")
    .description("models in the models directory")
    .option("--dir <dir>", "models directory")
    .action(async (options: { dir?: string }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const dir = options.dir ?? defaultModelsDir();
      const found: Array<{ file: string; path: string; bytes: number }> = [];
      if (existsSync(dir)) {
        for (const name of (await readdir(dir)).sort()) {
          if (!name.toLowerCase().endsWith(".gguf")) continue;
          const full = path.join(dir, name);
          found.push({ file: name, path: full, bytes: (await stat(full)).size });
        }
      }
      if (json) printJson({ dir, models: found });
      else if (found.length === 0)
        process.stdout.write(`No models in ${dir}. Download one with \`ragkit models pull hf:<user>/<repo>/<file>\`.\n`);
      else for (const m of found) process.stdout.write(`${(m.bytes / 1e6).toFixed(0).padStart(7)} MB  ${m.path}\n`);
    });
}

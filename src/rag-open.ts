import path from "node:path";
import { chunkerFor } from "./chunk/index.js";
import type { Chunker } from "./chunk/types.js";
import { type RagkitConfig, resolveConfig } from "./config.js";
import { callerEmbedder } from "./embed/caller.js";
import { createEmbedder, embedderFor, embedderSettings } from "./embed/index.js";
import type { Embedder } from "./embed/types.js";
import { RagkitError } from "./errors.js";
import type { CopyOptions, RagOpenOptions } from "./rag-options.js";
import type { CopyReport } from "./store/copy.js";
import { namedLocation, storeLocation } from "./store/index.js";
import { checkManifest } from "./store/manifest.js";
import { recoverIfNoWriter } from "./store/recovery.js";
import type { Manifest, Store } from "./store/types.js";

/** The config for a call: defaults < config file < environment < the caller's overrides. */
export function configFor(options: Pick<RagOpenOptions, "config" | "configFile">): RagkitConfig {
  return resolveConfig({
    ...(options.configFile ? { file: options.configFile } : {}),
    ...(options.config ? { overrides: options.config } : {}),
  });
}

/** What `Rag.open` puts together: the store, the embedder the index was built with, the manifest. */
export interface OpenedIndex {
  config: RagkitConfig;
  dir: string;
  store: Store;
  embedder: Embedder;
  chunker: Chunker;
  manifest: Manifest;
  /** Where the index lives, for people. */
  where: string;
}

/**
 * Opens (or creates) the index. An existing index is opened, and a crashed writer's work finished
 * (which may be a reindex's swap), before its embedder is chosen: the index remembers it, so later
 * runs need no flag. What this opened is closed again if anything fails.
 */
export async function openIndex(options: RagOpenOptions): Promise<OpenedIndex> {
  const config = configFor(options);
  const dir = path.resolve(options.dir ?? config.index);
  const location = storeLocation(config, dir, options.lock);
  const existing = options.store ? await options.store.readManifest() : await location.manifest();
  if (options.mustExist && !options.store && !existing) {
    throw new RagkitError(
      "INDEX_NOT_FOUND",
      `No index at ${location.describe}; create one with \`ragkit ingest <paths> ${location.flag}\``,
    );
  }
  let store: Store | undefined = options.store;
  let embedder: Embedder | undefined = options.embedder ? callerEmbedder(options.embedder) : undefined;
  try {
    if (existing && !store) store = await location.open(existing.embedder.dimensions);
    if (store) await recoverIfNoWriter(store);
    const recorded = (store ? await store.readManifest() : undefined)?.embedder.settings;
    const embedderConfig = embedderFor(config.embedder, recorded);
    embedder ??= await createEmbedder(embedderConfig);
    store ??= await location.open(embedder.dimensions);
    const chunker = chunkerFor(config.chunk, embedder);
    const manifest = await checkManifest(store, embedder, chunker, location.describe, embedderSettings(embedderConfig));
    const where = options.store ? `${options.store.name} (given)` : location.describe;
    return { config, dir, store, embedder, chunker, manifest, where };
  } catch (error) {
    if (!options.store) await store?.close();
    if (!options.embedder) await embedder?.close();
    throw error;
  }
}

/** `Rag.copy`: one index into another store, without embedding anything again. */
export async function copyBetween(from: string, to: string, options: CopyOptions): Promise<CopyReport> {
  const config = configFor(options);
  const { copyIndex } = await import("./store/copy.js");
  return copyIndex(namedLocation(config, from, options.fromSchema), namedLocation(config, to, options.toSchema), {
    ...(options.lock ? { lock: options.lock } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** `Rag.migrate`: the configured store's schema created or upgraded; undefined for a LanceDB folder. */
export async function migrateStore(
  options: Pick<RagOpenOptions, "config" | "configFile" | "dir">,
): Promise<{ store: string; from: number; to: number } | undefined> {
  const config = configFor(options);
  const location = storeLocation(config, path.resolve(options.dir ?? config.index));
  const done = await location.migrate();
  return done && { store: location.describe, ...done };
}

import path from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { IngestReport } from "../ingest/types.js";
import { loaderFor } from "../load/index.js";
import { ALWAYS_SKIPPED, walk } from "../load/walk.js";
import type { Rag } from "../rag.js";
import type { WatchEvent } from "../types.js";

export interface WatchOptions {
  /** Quiet time after the last change before re-ingesting (editors write in bursts). */
  debounceMs?: number;
  /** One event per file added, updated, removed or failed, plus `ready` and `error`. */
  onEvent?: (event: WatchEvent) => void;
}

export interface FolderWatch {
  /** The first full ingest of the folders (with pruning), done before changes are followed. */
  ready: Promise<IngestReport>;
  close(): Promise<void>;
}

const RETRY_MS = 5_000;

/**
 * Keeps the index in step with folders: one full ingest, then every added, changed or deleted
 * file is re-ingested or removed after a quiet period, through the facade (so through the index
 * write lock, like any other writer). Only files the walk would take count: .gitignore and
 * include/exclude rules apply to changes as they do to `ingest`.
 */
export function watchFolders(rag: Rag, folders: string[], options: WatchOptions = {}): FolderWatch {
  const roots = folders.map((f) => path.resolve(f));
  const emit = options.onEvent ?? (() => undefined);
  const changed = new Set<string>();
  const removed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  let watcher: FSWatcher | undefined;

  const schedule = (delay = options.debounceMs ?? 300) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      chain = chain.then(flush);
    }, delay);
  };

  const flush = async () => {
    const toIngest = [...changed];
    const toRemove = [...removed].filter((p) => !changed.has(p));
    changed.clear();
    removed.clear();
    try {
      await applyChanges(rag, roots, toIngest, toRemove, emit);
    } catch (error) {
      // Nothing is lost: the same changes are tried again (e.g. after another writer's long ingest).
      for (const p of toIngest) changed.add(p);
      for (const p of toRemove) removed.add(p);
      emit({ kind: "error", path: roots.join(", "), message: (error as Error).message });
      schedule(RETRY_MS);
    }
  };

  const ready = (async () => {
    const report = await rag.ingest(roots);
    if (closed) return report;
    watcher = watch(roots, {
      ignoreInitial: true,
      ignored: (file, stats) =>
        file.split(path.sep).some((part) => ALWAYS_SKIPPED.has(part)) || (stats?.isFile() === true && !loaderFor(file)),
      awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 },
    });
    watcher.on("all", (event: string, file: unknown) => {
      if (typeof file !== "string") return;
      if (event === "add" || event === "change") changed.add(file);
      else if (event === "unlink" || event === "unlinkDir") {
        changed.delete(file);
        removed.add(file);
      } else return;
      schedule();
    });
    await new Promise<void>((resolve) => watcher?.once("ready", () => resolve()));
    emit({ kind: "ready", path: roots.join(", "), message: `${report.added} added, ${report.updated} updated, ${report.removed} removed` });
    return report;
  })();

  return {
    ready,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await ready.catch(() => undefined);
      await watcher?.close();
      await chain;
    },
  };
}

/** Ingests the changed files the walk would take and removes the deleted ones, with one event each. */
async function applyChanges(rag: Rag, roots: string[], toIngest: string[], toRemove: string[], emit: (e: WatchEvent) => void) {
  if (toIngest.length > 0) {
    const eligible = new Set<string>();
    for await (const file of walk(roots, rag.config.load)) eligible.add(file.path);
    const files = toIngest.filter((f) => eligible.has(f)).sort();
    if (files.length > 0) {
      const known = new Set((await rag.documents()).map((d) => d.source));
      const report = await rag.ingest(files, { prune: false });
      const failed = new Map(report.failed.map((f) => [f.path, f]));
      for (const file of files) {
        const failure = failed.get(file);
        if (failure) emit({ kind: "failed", path: file, code: failure.code, message: failure.message });
        else emit({ kind: known.has(file) ? "updated" : "added", path: file });
      }
    }
  }
  if (toRemove.length > 0) {
    const result = await rag.remove(toRemove.sort());
    const missing = new Set(result.notFound);
    for (const p of toRemove) if (!missing.has(p)) emit({ kind: "removed", path: p });
  }
}

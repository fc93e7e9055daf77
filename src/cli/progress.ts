import cliProgress from "cli-progress";
import type { IngestProgress } from "../ingest/types.js";
import type { ModelDownload } from "../rag-options.js";
import type { TuneProgress } from "../types.js";

/**
 * A progress bar on a terminal, structured JSON lines (every 2 s) otherwise; both on stderr so
 * stdout stays clean for `--json`.
 */
export function ingestProgressReporter(): { update(progress: IngestProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: "ingest [{bar}] {value}/{total} files | {docs} documents written | {chunks} chunks embedded | {duration_formatted}",
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (p.phase === "scan") return;
        if (!started) {
          bar.start(Math.max(p.filesTotal, 1), 0, { chunks: 0, docs: 0 });
          started = true;
        }
        bar.setTotal(Math.max(p.filesTotal, 1));
        bar.update(p.filesDone, { chunks: p.chunksEmbedded, docs: p.documentsWritten });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  const log = (p: IngestProgress) =>
    process.stderr.write(
      `${JSON.stringify({ event: "ingest", phase: p.phase, filesDone: p.filesDone, filesTotal: p.filesTotal, documentsWritten: p.documentsWritten, chunksEmbedded: p.chunksEmbedded })}\n`,
    );
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === "done" || p.phase === "cleanup" || now - last >= 2000) {
        last = now;
        log(p);
      }
    },
    stop() {},
  };
}

export interface DocumentsDone {
  documentsDone: number;
  documentsTotal: number;
  chunksEmbedded?: number;
}

/** Progress over documents (reindex, copy): a bar with ETA on a terminal, a JSON line every 2 s otherwise. */
export function documentsProgress(event: string): { update(p: DocumentsDone): void; stop(): void } {
  if (process.stderr.isTTY) {
    const chunks = event === "reindex" ? " | {chunks} chunks embedded" : "";
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${event} [{bar}] {value}/{total} documents${chunks} | ETA {eta_formatted}` },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p) => {
        if (!started) bar.start(Math.max(p.documentsTotal, 1), p.documentsDone, { chunks: 0 });
        started = true;
        bar.update(p.documentsDone, { chunks: p.chunksEmbedded ?? 0 });
      },
      stop: () => {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  let last = 0;
  return {
    update: (p) => {
      if (Date.now() - last < 2000 && p.documentsDone < p.documentsTotal) return;
      last = Date.now();
      process.stderr.write(`${JSON.stringify({ event, ...p })}\n`);
    },
    stop: () => undefined,
  };
}

/**
 * Downloads of hub models: a bar per file on a terminal, a JSON line every 2 s (and at each file's
 * end) otherwise, on stderr.
 */
export function downloadProgress(): (p: ModelDownload) => void {
  let bar: cliProgress.SingleBar | undefined;
  let current = "";
  let last = 0;
  return (p) => {
    const key = `${p.model}/${p.file}`;
    const done = p.total > 0 && p.loaded >= p.total;
    if (!process.stderr.isTTY) {
      if (Date.now() - last < 2000 && !done) return;
      last = Date.now();
      process.stderr.write(`${JSON.stringify({ event: "download", ...p })}\n`);
      return;
    }
    if (key !== current) {
      bar?.stop();
      current = key;
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: `download ${key} [{bar}] {value}/{total} MB | ETA {eta_formatted}` },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(1, Math.round(p.total / 1e6)), 0);
    }
    bar?.update(Math.round(p.loaded / 1e6));
    if (done) {
      bar?.stop();
      bar = undefined;
    }
  };
}

/**
 * `ragkit tune`: on a terminal, a bar per stage (preparing pairs, each training run, by epoch, with
 * the loss; early stopping may end one before its last epoch); JSON lines every 2 s otherwise.
 */
export function tuneProgress(): { update(p: TuneProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: "{stage} [{bar}] {value}/{total} {unit}{info} | ETA {eta_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    let stage: string | undefined;
    return {
      update(p) {
        const name = p.phase === "train" ? `training (${p.stage ?? ""})` : p.phase === "prepare" ? "preparing pairs" : "choosing";
        const payload = {
          stage: name,
          unit: p.phase === "train" ? "epochs" : "",
          info: p.epoch ? ` | loss ${p.epoch.loss.toFixed(3)}` : "",
        };
        if (name !== stage) {
          if (stage) bar.stop();
          bar.start(Math.max(p.total, 1), p.done, payload);
          stage = name;
        }
        bar.update(p.done, payload);
      },
      stop() {
        if (stage) bar.stop();
        stage = undefined;
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === "prepare" && p.done !== p.total && now - last < 2000) return;
      last = now;
      process.stderr.write(`${JSON.stringify({ event: "tune", ...p })}\n`);
    },
    stop() {},
  };
}

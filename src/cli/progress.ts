import cliProgress from "cli-progress";
import type { IngestProgress } from "../ingest/types.js";
import type { ModelDownload } from "../rag-options.js";
import type { TuneProgress } from "../types.js";

/** Seconds left at the rate chunks were done so far; undefined until there is a rate. */
function etaSeconds(done: number, total: number, startedAt: number): number | undefined {
  const elapsed = (Date.now() - startedAt) / 1000;
  if (done === 0 || elapsed < 1) return undefined;
  return Math.max(0, Math.round(((total - done) * elapsed) / done));
}

/**
 * Ingest progress on stderr (stdout stays clean for `--json`): on a terminal a bar of chunks
 * embedded (or reused) out of the run's total, with files read and an ETA, moving after every
 * embedding batch; otherwise a JSON line at each phase change, each committed batch, and every 2 s.
 */
export function ingestProgressReporter(): { update(progress: IngestProgress): void; stop(): void } {
  const startedAt = Date.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format:
          "ingest [{bar}] {percentage}% | {value}/{total} chunks | {files}/{filesTotal} files read | {docs} documents written | ETA {eta_formatted}{note}",
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (p.phase === "scan") return;
        const done = p.chunksEmbedded + p.chunksReused;
        // Updating the indexes can take seconds at a million chunks, with the bar standing still.
        const note = p.phase === "index" ? " | updating the indexes" : "";
        const payload = { files: p.filesDone, filesTotal: p.filesTotal, docs: p.documentsWritten, note };
        if (!started) {
          bar.start(Math.max(p.chunksTotal, done, 1), done, payload);
          started = true;
        }
        bar.setTotal(Math.max(p.chunksTotal, done, 1));
        bar.update(done, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  let phase = "";
  let written = 0;
  return {
    update(p) {
      const now = Date.now();
      // A committed batch is worth a line of its own (it survives a crash); between them, one every 2 s.
      if (p.phase === phase && p.documentsWritten === written && now - last < 2000) return;
      last = now;
      phase = p.phase;
      written = p.documentsWritten;
      const { filesDone, filesTotal, documentsWritten, chunksEmbedded, chunksReused, chunksTotal } = p;
      const eta = etaSeconds(chunksEmbedded + chunksReused, chunksTotal, startedAt);
      const line = { event: "ingest", phase, filesDone, filesTotal, documentsWritten, chunksEmbedded, chunksReused, chunksTotal };
      process.stderr.write(`${JSON.stringify(eta === undefined ? line : { ...line, etaSeconds: eta })}\n`);
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

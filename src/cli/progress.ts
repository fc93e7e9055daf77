import cliProgress from "cli-progress";
import type { IngestProgress } from "../ingest/types.js";

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

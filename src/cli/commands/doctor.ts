import type { Command } from "commander";
import type { DoctorReport } from "../../store/doctor.js";
import { printJson, withRag } from "../common.js";

function describe(report: DoctorReport): string {
  const lines = [`${report.documents} documents, ${report.chunks} chunks`];
  const list = (label: string, items: string[]) => {
    if (items.length > 0) lines.push(`${label}: ${items.length} (${items.slice(0, 5).join(", ")}${items.length > 5 ? ", …" : ""})`);
  };
  list("duplicate document ids", report.duplicateDocuments);
  list("duplicate chunk ids", report.duplicateChunks);
  list("chunks without a document", report.orphanChunks);
  list(
    "chunk count mismatches",
    report.countMismatches.map((m) => `${m.documentId}: ${m.stored} stored, ${m.expected} expected`),
  );
  list(
    "chunks whose offsets do not match the text",
    report.badOffsets.map((b) => b.chunkId),
  );
  if (report.repaired) {
    const r = report.repaired;
    lines.push(
      `repaired: ${r.dedupe.length} de-duplicated, ${r.orphanChunksOf.length} orphan groups dropped, ${r.rechunk.length} chunked again`,
    );
  }
  lines.push(report.ok ? "The index is consistent." : "Problems found: run `ragkit doctor --repair` to fix them.");
  return `${lines.join("\n")}\n`;
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check the index for duplicates, orphan chunks, count mismatches and wrong offsets")
    .option("--repair", "fix what was found without removing any document")
    .action(async (options: { repair?: boolean }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const report = await withRag(command, (rag) => rag.doctor({ repair: Boolean(options.repair) }), { mustExist: true });
      if (json) printJson(report);
      else process.stdout.write(describe(report));
      if (!report.ok) process.exitCode = 1;
    });
}

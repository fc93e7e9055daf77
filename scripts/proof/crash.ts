/**
 * `npm run crash`: kill -9 ragkit at random points of ingest, `docs rm`, `watch` and `reindex`
 * (back and forth between the bundled model and a tiny ONNX model written here), most of them
 * exactly inside a write (RAGKIT_FAULT points in the store); after every kill `doctor` must find the
 * index consistent and a search must answer, and at the end one clean ingest must make the index
 * match the files exactly.
 *
 *   npm run crash -- [--kills 100] [--seed 1] [--files 80]
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Rag } from "../../src/rag.js";
import type { FaultPoint } from "../../src/store/faults.js";
import { cli, note, random, WORDS } from "./cli.js";
import { writeTinyModel } from "./onnx-model.js";

// The points each command passes when it has work: a kill there lands inside one of its writes.
const POINTS: Record<"ingest" | "rm" | "watch" | "reindex", FaultPoint[]> = {
  ingest: [
    "upsert:journaled",
    "upsert:chunks-written",
    "upsert:documents-written",
    "delete:journaled",
    "delete:documents-deleted",
    "optimize:start",
    "manifest:write",
  ],
  rm: ["delete:journaled", "delete:documents-deleted", "optimize:start"],
  watch: ["upsert:journaled", "upsert:chunks-written", "upsert:documents-written", "optimize:start"],
  reindex: ["reindex:staged", "reindex:committing", "manifest:write"],
};

export interface CrashResult {
  kills: number;
  atFaultPoints: number;
  timed: number;
  finishedBeforeKill: number;
  doctorFailures: string[];
  finalMatches: boolean;
  files: number;
}

/** Changes a few files, as a user editing between runs would. */
async function mutate(docs: string, rand: () => number, versions: Map<number, number>, next: { n: number }): Promise<void> {
  for (let i = 0; i < 1 + Math.floor(rand() * 3); i++) {
    const n = next.n++;
    versions.set(n, 1);
    await writeFile(path.join(docs, `note-${n}.md`), note(n, 1, rand));
  }
  const existing = [...versions.keys()];
  for (let i = 0; i < 1 + Math.floor(rand() * 3); i++) {
    const n = existing[Math.floor(rand() * existing.length)] as number;
    const v = (versions.get(n) ?? 0) + 1;
    versions.set(n, v);
    await writeFile(path.join(docs, `note-${n}.md`), note(n, v, rand));
  }
  if (rand() < 0.5 && existing.length > 5) {
    const n = existing[Math.floor(rand() * existing.length)] as number;
    versions.delete(n);
    await rm(path.join(docs, `note-${n}.md`), { force: true });
  }
}

/** The embedder to reindex to: the tiny model while the index uses the bundled one, and back. */
async function reindexTarget(index: string, model: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(index, "manifest.json"), "utf8").catch(() => "{}")) as { embedder?: { id: string } };
  return manifest.embedder?.id.startsWith("transformers:") ? "bundled" : `transformers:${model}`;
}

interface KillOutcome {
  outcome: "fault" | "timed" | "finished";
  /** What was killed, for the log: the command and where it died. */
  what: string;
}

async function oneKill(index: string, docs: string, model: string, rand: () => number): Promise<KillOutcome> {
  const ops = ["ingest", "ingest", "ingest", "rm", "watch", "reindex"] as const;
  const op = ops[Math.floor(rand() * ops.length)] as (typeof ops)[number];
  const useFault = rand() < 0.7;
  const points = POINTS[op];
  const point = points[Math.floor(rand() * points.length)] as FaultPoint;
  // The watch's first ingest passes each point once; its re-ingest of the change passes them again.
  const after = op === "watch" ? 2 : point.startsWith("upsert") ? 1 + Math.floor(rand() * 2) : 1;
  const env: NodeJS.ProcessEnv = useFault ? { RAGKIT_FAULT: point, RAGKIT_FAULT_AFTER: String(after) } : {};
  const files = (await readdir(docs)).filter((f) => f.endsWith(".md"));
  const args =
    op === "ingest"
      ? ["ingest", docs]
      : op === "rm"
        ? ["docs", "rm", path.join(docs, files[Math.floor(rand() * files.length)] ?? "none.md")]
        : op === "reindex"
          ? ["reindex", "--embedder", await reindexTarget(index, model)]
          : ["watch", docs, "--debounce", "50"];
  const run = cli([...args, "--index", index], env);
  if (op === "watch") {
    // Follow a few changes, then die at a fault point or by the timer.
    await Promise.race([run.line(/watch\.ready/), run.done]);
    await writeFile(path.join(docs, "watched.md"), note(999_999, Math.floor(rand() * 1000), rand));
  }
  let timedKill = false;
  if (!useFault) {
    await Promise.race([run.line(/./), run.done]);
    await sleep(Math.floor(rand() * 2500));
    timedKill = run.child.kill("SIGKILL");
  } else {
    // A watch whose fault point is never reached would run for ever: it ends by the timer then.
    const timer = setTimeout(
      () => {
        timedKill = run.child.kill("SIGKILL");
      },
      op === "watch" ? 5_000 : 120_000,
    );
    void run.done.then(() => clearTimeout(timer));
  }
  const result = await run.done;
  const what = `${args.slice(0, args[0] === "docs" ? 2 : 1).join(" ")} ${useFault ? `at ${point}#${after}` : "by timer"}`;
  if (result.signal === "SIGKILL") return { outcome: timedKill ? "timed" : "fault", what };
  return { outcome: "finished", what };
}

export async function runCrash(options: {
  kills: number;
  seed: number;
  files: number;
  log?: (line: string) => void;
}): Promise<CrashResult> {
  const log = options.log ?? (() => undefined);
  const rand = random(options.seed);
  const root = await mkdtemp(path.join(tmpdir(), "ragkit-crash-"));
  const docs = path.join(root, "docs");
  const index = path.join(root, "idx");
  await mkdir(docs);
  // A second embedder to reindex to and from: a tiny real ONNX model written here.
  const model = await writeTinyModel(path.join(root, "tiny-bert"), { words: [...WORDS, "note", "version", "mentions"], hidden: 64 });
  const versions = new Map<number, number>();
  const next = { n: 0 };
  for (let i = 0; i < options.files; i++) {
    versions.set(next.n, 1);
    await writeFile(path.join(docs, `note-${next.n}.md`), note(next.n++, 1, rand));
  }
  const result: CrashResult = {
    kills: 0,
    atFaultPoints: 0,
    timed: 0,
    finishedBeforeKill: 0,
    doctorFailures: [],
    finalMatches: false,
    files: 0,
  };
  try {
    while (result.kills < options.kills) {
      await mutate(docs, rand, versions, next);
      const { outcome, what } = await oneKill(index, docs, model, rand);
      if (outcome === "finished") result.finishedBeforeKill++;
      else {
        result.kills++;
        if (outcome === "fault") result.atFaultPoints++;
        else result.timed++;
      }
      if (!existsSync(path.join(index, "manifest.json"))) continue;
      const doctor = await cli(["doctor", "--index", index, "--json"]).done;
      if (doctor.code !== 0) result.doctorFailures.push(`after kill ${result.kills}: ${doctor.stdout || doctor.stderr}`);
      // It answers, with one embedder or the other (whichever the manifest names), never a mix.
      const search = await cli(["search", "harbour ferry", "--index", index, "--json"]).done;
      if (search.code !== 0) result.doctorFailures.push(`search after kill ${result.kills}: ${search.stderr}`);
      log(
        `kill ${result.kills}/${options.kills} (${outcome}: ${what}) doctor ${doctor.code === 0 ? "clean" : "FAILED"}, search ${search.code === 0 ? "ok" : "FAILED"}`,
      );
    }
    const final = await cli(["ingest", docs, "--index", index, "--json"]).done;
    if (final.code !== 0) throw new Error(`final ingest failed: ${final.stderr}`);
    result.finalMatches = await matchesFiles(index, docs);
    const doctor = await cli(["doctor", "--index", index, "--json"]).done;
    if (doctor.code !== 0) result.doctorFailures.push(`final: ${doctor.stdout}`);
    result.files = (await readdir(docs)).length;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return result;
}

/** Exactly one document per file on disk, each holding that file's current text. */
async function matchesFiles(index: string, docs: string): Promise<boolean> {
  const rag = await Rag.open({ dir: index, mustExist: true });
  try {
    const stored = await rag.documents();
    const files = (await readdir(docs)).map((f) => path.join(docs, f)).sort();
    if (stored.length !== files.length) return false;
    const bySource = new Map(stored.map((d) => [d.source, d.id]));
    for (const file of files) {
      const id = bySource.get(file);
      if (!id) return false;
      if ((await rag.getDocument(id))?.text !== (await readFile(file, "utf8"))) return false;
    }
    return true;
  } finally {
    await rag.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      kills: { type: "string", default: "100" },
      seed: { type: "string", default: "1" },
      files: { type: "string", default: "80" },
    },
  });
  const started = Date.now();
  const r = await runCrash({
    kills: Number(values.kills),
    seed: Number(values.seed),
    files: Number(values.files),
    log: (l) => console.error(l),
  });
  const ok = r.doctorFailures.length === 0 && r.finalMatches;
  console.log(
    `crash: ${r.kills} kills (${r.atFaultPoints} inside writes at fault points, ${r.timed} timed; ${r.finishedBeforeKill} runs finished first), doctor clean after ${r.kills - r.doctorFailures.length}/${r.kills}, final ingest matches ${r.files} files exactly: ${r.finalMatches ? "yes" : "NO"} — ${ok ? "PASS" : "FAIL"} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  for (const f of r.doctorFailures.slice(0, 5)) console.log(f);
  process.exitCode = ok ? 0 : 1;
}

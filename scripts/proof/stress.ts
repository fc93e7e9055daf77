/**
 * `npm run stress`: several writers and a live server on one index. Three CLI ingests (two of
 * them of the same folder) and API uploads run at once while a client polls search and the
 * document list; at the end: zero 5xx, zero duplicates (doctor), every file present.
 *
 *   npm run stress -- [--files 60] [--writers 3] [--seed 1]
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { cli, finish, note, random } from "./cli.js";

export interface StressResult {
  requests: number;
  errors5xx: number;
  otherFailures: string[];
  writersOk: number;
  writers: number;
  documents: number;
  expected: number;
  doctorOk: boolean;
}

export async function runStress(options: { files: number; writers: number; seed: number }): Promise<StressResult> {
  const rand = random(options.seed);
  const root = await mkdtemp(path.join(tmpdir(), "ragkit-stress-"));
  const index = path.join(root, "idx");
  const folders = Array.from({ length: Math.max(2, options.writers - 1) }, (_, i) => path.join(root, `docs-${i}`));
  for (const [f, folder] of folders.entries()) {
    await mkdir(folder);
    for (let i = 0; i < options.files; i++) await writeFile(path.join(folder, `n${f}-${i}.md`), note(f * 10_000 + i, 1, rand));
  }
  // The poller is not there to test the rate limiter: on a slow machine the writers take long
  // enough for its ~40 requests a second to pass the default 600 a minute.
  const server = cli(["serve", "--port", "0", "--index", index], { RAGKIT_SERVER_RATE_LIMIT: "1000000" });
  const result: StressResult = {
    requests: 0,
    errors5xx: 0,
    otherFailures: [],
    writersOk: 0,
    writers: options.writers + 1,
    documents: 0,
    expected: 0,
    doctorOk: false,
  };
  try {
    const base = (/at (http:\/\/\S+)/.exec(await server.line(/serving .* at http/)) as RegExpExecArray)[1] as string;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const [method, url, body] of [
          ["POST", "/api/search", { query: "harbour ferry lantern", k: 3 }],
          ["GET", "/api/documents", undefined],
          ["GET", "/api/stats", undefined],
        ] as const) {
          const response = await fetch(`${base}${url}`, {
            method,
            ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
          }).catch((error: Error) => ({ status: 0, text: async () => error.message }));
          result.requests++;
          if (response.status >= 500) result.errors5xx++;
          else if (response.status !== 200) result.otherFailures.push(`${url} ${response.status} ${await response.text()}`);
        }
        await sleep(50);
      }
    })();
    // Writers: CLI ingests of each folder, the first folder twice, and API uploads, all at once.
    const writers: Array<Promise<boolean>> = [...folders, folders[0] as string]
      .slice(0, options.writers)
      .map((folder) => cli(["ingest", folder, "--index", index, "--json"]).done.then((r) => r.code === 0));
    const uploads = Array.from({ length: 10 }, (_, i) => ({ id: `api-${i}`, source: `api://note/${i}`, text: note(900_000 + i, 1, rand) }));
    writers.push(
      fetch(`${base}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ documents: uploads }),
      }).then((r) => r.status === 200),
    );
    result.writersOk = (await Promise.all(writers)).filter(Boolean).length;
    await sleep(500);
    polling = false;
    await poll;
    const doctor = await cli(["doctor", "--index", index, "--json"]).done;
    result.doctorOk = doctor.code === 0;
    const report = JSON.parse(doctor.stdout) as { documents: number };
    result.documents = report.documents;
    result.expected = options.files * Math.min(folders.length, options.writers) + uploads.length;
  } finally {
    await finish(server, root);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      files: { type: "string", default: "60" },
      writers: { type: "string", default: "3" },
      seed: { type: "string", default: "1" },
    },
  });
  const r = await runStress({ files: Number(values.files), writers: Number(values.writers), seed: Number(values.seed) });
  const ok = r.errors5xx === 0 && r.otherFailures.length === 0 && r.writersOk === r.writers && r.doctorOk && r.documents === r.expected;
  console.log(
    `stress: ${r.writersOk}/${r.writers} writers succeeded, ${r.requests} reads during the writes with ${r.errors5xx} 5xx and ${r.otherFailures.length} other failures, ${r.documents}/${r.expected} documents, doctor ${r.doctorOk ? "clean" : "FAILED"} — ${ok ? "PASS" : "FAIL"}`,
  );
  for (const f of r.otherFailures.slice(0, 5)) console.log(f);
  process.exitCode = ok ? 0 : 1;
}

// Bundled and run on plain Node by allocator.test.ts (tsx's own threads would have made glibc fix
// its arena limit before the cap runs): counts glibc's malloc arenas (malloc_info's <heap> elements)
// after capMallocArenas(argv[2]) and again after starting threads that allocate.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import koffi from "koffi";
import { capMallocArenas } from "../../src/store/allocator.js";

const libc = koffi.load("libc.so.6");
const fopen = libc.func("void *fopen(const char *path, const char *mode)");
const fclose = libc.func("int fclose(void *stream)");
const mallocInfo = libc.func("int malloc_info(int options, void *stream)");
const dir = mkdtempSync(path.join(tmpdir(), "ragkit-arenas-"));

function arenas(): number {
  const file = path.join(dir, "info.xml");
  const stream = fopen(file, "w");
  mallocInfo(0, stream);
  fclose(stream);
  return readFileSync(file, "utf8").match(/<heap nr=/g)?.length ?? 0;
}

// Each worker is a native thread with its own V8 heap, allocating as LanceDB's threads do.
async function busyThreads(count: number): Promise<void> {
  const code = `const { parentPort } = require("node:worker_threads");
    const kept = []; for (let i = 0; i < 200; i++) kept.push(Buffer.alloc(64 * 1024, i));
    setTimeout(() => parentPort.postMessage(kept.length), 200);`;
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(code, { eval: true });
          worker.once("message", () => void worker.terminate().then(() => resolve()));
          worker.once("error", reject);
        }),
    ),
  );
}

const max = Number(process.argv[2]);
const outcome = await capMallocArenas(max);
const before = arenas();
await busyThreads(12);
const after = arenas();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ outcome, before, after }));

import { setTimeout as sleep } from "node:timers/promises";
import { trimMalloc } from "../../src/store/allocator.js";

// 160 MB freed in holes between buffers that stay: glibc cannot give it back by shrinking the heap
// top, only malloc_trim can (it releases the free pages inside the holes).
const keep: Buffer[] = [];
let drop: Buffer[] = [];
for (let i = 0; i < 20_000; i++) (i % 2 ? keep : drop).push(Buffer.allocUnsafeSlow(16 * 1024).fill(1));
drop = [];
const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < 3; i++) {
  gc?.();
  await sleep(100);
}
const before = process.memoryUsage().rss;
const trimmed = process.argv[2] === "trim" ? await trimMalloc() : false;
const after = process.memoryUsage().rss;
console.log(JSON.stringify({ trimmed, before, after, kept: keep.length, dropped: drop.length }));

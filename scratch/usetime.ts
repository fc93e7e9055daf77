import { BundledEmbedder } from "../src/embed/bundled.ts";
const e = new BundledEmbedder({ workers: 1 });
await e.embed(["warm up"], "query");
const words = "the harbour ferry leaves at dawn with lanterns and granite ".repeat(2000);
for (const n of [2000, 4000, 8000, 16000]) {
  const t = Date.now();
  await e.embed([words.slice(0, n)], "document");
  console.log(n, Date.now() - t, "ms");
}
await e.close();

import { Rag } from "../src/rag.ts";
import { mkdtempSync } from "node:fs";
const rag = await Rag.open({ dir: mkdtempSync("/tmp/opt-") });
for (let i = 0; i < 40; i++) {
  const t = performance.now();
  await rag.ingest([{ id: `d${i}`, source: `m://${i}`, text: `note ${i} about the harbour ferry` }]);
  if (i % 5 === 0) console.log(i, (performance.now() - t).toFixed(0), "ms");
}
console.log((await rag.search("harbour", { mode: "lexical", k: 100 })).length, "lexical hits");
console.log((await rag.doctor()).ok);
await rag.close();

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { configSchema } from "../src/config.ts";
import { Rag } from "../src/rag.ts";
import { createServer } from "../src/server/app.ts";
const rag = await Rag.open({ dir: await mkdtemp(path.join(tmpdir(), "p-")) });
const app = await createServer(rag, { server: configSchema.parse({ server: { apiKeys: ["sk-test-0123456789"] } }).server, maxFileBytes: 1e6, version: "t" });
for (const [method, url] of [["HEAD", "/api/stats"], ["HEAD", "/%61pi/stats"], ["OPTIONS", "/api/stats"], ["GET", "/api//stats"], ["GET", "/api/stats%00"], ["GET", "/v1/models"], ["HEAD", "/v1/models"], ["GET", "/"], ["GET", "/index.html"]] as const) {
  const r = await app.inject({ method, url });
  console.log(method, url, r.statusCode);
}
const deep = "[".repeat(200000) + "]".repeat(200000);
const r = await app.inject({ method: "POST", url: "/api/search", payload: deep, headers: { "content-type": "application/json", authorization: "Bearer sk-test-0123456789" } });
console.log("deep json", r.statusCode, r.body.slice(0, 120));
await app.close(); await rag.close();

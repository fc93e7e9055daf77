import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type RerankFault = "none" | "unknown-index" | "unauthorized" | "tei-shape";

/**
 * A real `/rerank` server on 127.0.0.1 (Cohere/Jina request and response shape) whose scores come
 * from a real model (`score`); faults reproduce broken servers.
 */
export async function startRerankServer(score: (query: string, documents: string[]) => Promise<number[]>, fault: RerankFault = "none") {
  const requests: Array<{ model: string; query: string; documents: string[] }> = [];
  const server: Server = createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    if (req.method !== "POST" || req.url !== "/v2/rerank") {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(raw) as { model: string; query: string; documents: string[] };
    requests.push(body);
    if (fault === "unauthorized") {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ message: "invalid api token" }));
      return;
    }
    const scores = await score(body.query, body.documents);
    let results = scores
      .map((relevance_score, index) => ({ index, relevance_score }))
      .sort((a, b) => b.relevance_score - a.relevance_score);
    if (fault === "unknown-index") results = results.map((r) => ({ ...r, index: r.index + 50 }));
    const payload = fault === "tei-shape" ? results.map((r) => ({ index: r.index, score: r.relevance_score })) : { id: "x", results };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(payload));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v2`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

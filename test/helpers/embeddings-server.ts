import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type EmbeddingFault = "none" | "unauthorized" | "rate-limit-once" | "missing-vector" | "nan" | "wrong-dimensions" | "unknown-index";

/**
 * A real OpenAI-compatible `/v1/embeddings` server on 127.0.0.1 whose vectors come from a real
 * model (`embed`); faults reproduce what real servers do wrong.
 */
export async function startEmbeddingsServer(embed: (texts: string[]) => Promise<Float32Array[]>, fault: EmbeddingFault = "none") {
  const requests: Array<{ input: string[]; model: string; dimensions?: number; authorization?: string }> = [];
  let limited = false;
  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/embeddings") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as { input: string | string[]; model: string; dimensions?: number };
    const input = Array.isArray(body.input) ? body.input : [body.input];
    requests.push({
      input,
      model: body.model,
      ...(body.dimensions ? { dimensions: body.dimensions } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(value));
    if (fault === "unauthorized") return json(401, { error: { message: "Incorrect API key provided" } });
    if (fault === "rate-limit-once" && !limited) {
      limited = true;
      return json(429, { error: { message: "Rate limit" } }, { "retry-after-ms": "30" });
    }
    const vectors = (await embed(input)).map((v) => Array.from(v));
    let data = vectors.map((embedding, index) => ({ object: "embedding", index, embedding }));
    if (fault === "missing-vector") data = data.slice(1);
    if (fault === "nan") (data[0] as { embedding: number[] }).embedding[0] = 12345.678;
    if (fault === "wrong-dimensions") data = data.map((d) => ({ ...d, embedding: d.embedding.slice(1) }));
    if (fault === "unknown-index") data = data.map((d) => ({ ...d, index: d.index + 7 }));
    // JSON has no NaN: a broken server's overflow arrives as a number that parses to Infinity.
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ object: "list", model: body.model, data }).replace("12345.678", "1e999"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

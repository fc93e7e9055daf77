import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatMessage, Generator } from "../../src/generate/types.js";

export type Fault = "none" | "unauthorized" | "rate-limit-once" | "malformed-sse" | "hang";

/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 that answers /v1/chat/completions (streaming
 * and not) from a real local model. Faults reproduce what real servers do wrong.
 */
export async function startOpenAIServer(generator: Generator, fault: Fault = "none") {
  let rateLimited = false;
  const requests: Array<{ stream: boolean; messages: ChatMessage[] }> = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as { messages: ChatMessage[]; stream?: boolean; max_tokens?: number; model: string };
    requests.push({ stream: Boolean(body.stream), messages: body.messages });
    if (fault === "unauthorized") {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "Incorrect API key provided" } }));
      return;
    }
    if (fault === "rate-limit-once" && !rateLimited) {
      rateLimited = true;
      res
        .writeHead(429, { "content-type": "application/json", "retry-after-ms": "50" })
        .end(JSON.stringify({ error: { message: "Rate limit" } }));
      return;
    }
    if (fault === "hang") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(
        `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant" } }] })}\n\n`,
      );
      return; // never ends
    }
    if (fault === "malformed-sse") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end("data: {this is not json\n\n");
      return;
    }
    const id = `chatcmpl-${requests.length}`;
    let usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    const deltas: string[] = [];
    const stream = generator.stream(body.messages, {
      ...(body.max_tokens ? { maxTokens: body.max_tokens } : {}),
      onUsage: (u) => {
        usage = {
          prompt_tokens: u.promptTokens ?? 0,
          completion_tokens: u.completionTokens ?? 0,
          total_tokens: (u.promptTokens ?? 0) + (u.completionTokens ?? 0),
        };
      },
    });
    if (!body.stream) {
      for await (const d of stream) deltas.push(d);
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id,
          object: "chat.completion",
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content: deltas.join("") }, finish_reason: "stop" }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (payload: object) =>
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", model: body.model, ...payload })}\n\n`);
    for await (const d of stream) send({ choices: [{ index: 0, delta: { content: d }, finish_reason: null }] });
    send({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
    send({ choices: [], usage });
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
      }),
  };
}

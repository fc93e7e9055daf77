import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { multipart, serverFor } from "./helpers/server.js";

const KEYS_MD = "# Keys\n\nRotate the signing key every ninety days.\n";

describe("server limits and bad bodies", () => {
  it("oversized inputs on /v1, /api and MCP are a 400 naming the limit; the embedder reads only what the model can", async () => {
    const { app, rag, close } = await serverFor();
    try {
      const huge = "word ".repeat(200_000);
      const one = await app.inject({ method: "POST", url: "/v1/embeddings", payload: { input: huge } });
      expect(one.statusCode).toBe(400);
      const many = await app.inject({ method: "POST", url: "/v1/embeddings", payload: { input: Array(30).fill("x".repeat(10_000)) } });
      expect(many.statusCode).toBe(400);
      expect(many.json().error).toMatchObject({ code: "LIMIT_EXCEEDED", message: expect.stringContaining("server.maxRequestChars") });
      const chat = await app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        payload: { model: "ragkit", messages: [{ role: "user", content: huge }] },
      });
      expect(chat.statusCode).toBe(400);
      const search = await app.inject({ method: "POST", url: "/api/search", payload: { query: huge } });
      expect(search.statusCode).toBe(400);

      // Beyond what the model reads, text makes no difference to the vector (and costs nothing).
      const long = "The harbour ferry leaves at dawn. ".repeat(3_000);
      const [whole, cut] = await rag.embed([long, long.slice(0, rag.embedder.maxInputChars)]);
      expect(Array.from(whole as Float32Array)).toEqual(Array.from(cut as Float32Array));

      await app.listen({ host: "127.0.0.1", port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const client = new Client({ name: "t", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const result = await client.callTool({ name: "search", arguments: { query: huge } });
      expect(result.isError).toBe(true);
      await client.close();
    } finally {
      await close();
    }
  });

  it("wrongly typed bodies are 400s, never 500s, and store nothing", async () => {
    const { app, rag, close } = await serverFor();
    try {
      const bodies: Array<[string, unknown]> = [
        ["/v1/chat/completions", { messages: [{ role: "user", content: 5 }] }],
        ["/v1/chat/completions", { messages: [{ role: "user", content: [null] }] }],
        ["/v1/chat/completions", { messages: [null] }],
        ["/v1/chat/completions", { messages: [{ role: "user", content: "" }] }],
        ["/v1/embeddings", { input: [5] }],
        ["/api/ingest", { documents: [null] }],
        ["/api/ingest", { documents: [{ source: "a", text: "b", metadata: "str" }] }],
        ["/api/ingest", { documents: [{ source: 1, text: "b" }] }],
        ["/api/ingest", { documents: [] }],
        ["/api/ingest", [1, 2]],
        ["/api/chat", { messages: [{ role: "user", content: 5 }] }],
        ["/api/search", { query: "x", filter: { metadata: { a: { b: 1 } } } }],
      ];
      for (const [url, payload] of bodies) {
        const response = await app.inject({ method: "POST", url, payload: payload as object });
        expect(response.statusCode, `${url} ${JSON.stringify(payload)}: ${response.body}`).toBe(400);
        expect(response.json().error.code).toMatch(/INVALID_ARGUMENT|LIMIT_EXCEEDED/);
      }
      expect(await rag.documents()).toEqual([]);
      const good = await app.inject({
        method: "POST",
        url: "/api/ingest",
        payload: { documents: [{ source: "mem://a", text: "Ferries leave at dawn.", metadata: { team: "ops", n: 1 } }] },
      });
      expect(good.json()).toMatchObject({ added: 1 });
      expect((await rag.documents())[0]?.metadata).toEqual({ team: "ops", n: 1 });
    } finally {
      await close();
    }
  });

  it("the same file twice in one upload is indexed once, both reported indexed, and its stored file kept", async () => {
    const { app, rag, close } = await serverFor();
    try {
      const upload = multipart([
        { name: "keys.md", content: KEYS_MD },
        { name: "keys-copy.md", content: KEYS_MD },
      ]);
      const response = (await app.inject({ method: "POST", url: "/api/ingest", ...upload })).json();
      expect(response.files).toEqual([
        { name: "keys.md", status: "indexed" },
        { name: "keys-copy.md", status: "indexed" },
      ]);
      const [doc, ...rest] = await rag.documents();
      expect(rest).toEqual([]);
      expect(existsSync(doc?.source as string)).toBe(true);
      const deleted = await app.inject({ method: "DELETE", url: `/api/documents/${doc?.id}` });
      expect(deleted.json()).toEqual({ removed: 1 });
      expect(existsSync(doc?.source as string)).toBe(false);
    } finally {
      await close();
    }
  });

  it("a flood of expensive requests gets quick 503s with Retry-After while /health and searches answer", async () => {
    const { app, rag, close } = await serverFor({ server: { maxConcurrent: 1, maxQueued: 1 } });
    try {
      await rag.ingest([{ source: "mem://a", text: "Ferries leave the harbour at dawn." }]);
      const inputs = Array.from({ length: 20 }, (_, i) => `${i} ${"the harbour ferry leaves at dawn ".repeat(200)}`);
      const flood = Array.from({ length: 8 }, () => app.inject({ method: "POST", url: "/v1/embeddings", payload: { input: inputs } }));
      await sleep(20);
      const health = await app.inject({ url: "/health" });
      const search = await app.inject({ method: "POST", url: "/api/search", payload: { query: "ferries", mode: "lexical" } });
      const results = await Promise.all(flood);
      expect(health.statusCode).toBe(200);
      expect(search.statusCode).toBe(200);
      const statuses = results.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 200)).toHaveLength(2);
      const busy = results.filter((r) => r.statusCode === 503);
      expect(busy).toHaveLength(6);
      expect(busy[0]?.headers["retry-after"]).toBeDefined();
      expect(busy[0]?.json().error.code).toBe("SERVER_BUSY");
    } finally {
      await close();
    }
  });

  it("slow-header and slow-body connections are closed by the server; an ingest whose SSE client left still finishes", async () => {
    const { app, rag, close } = await serverFor({ server: { headersTimeoutMs: 1_000, requestTimeoutMs: 1_500 } });
    try {
      await app.listen({ host: "127.0.0.1", port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const closedAfter = (first: string) =>
        new Promise<number>((resolve) => {
          const started = Date.now();
          const socket = net.connect(port, "127.0.0.1", () => socket.write(first));
          socket.on("data", () => undefined);
          socket.on("error", () => undefined);
          socket.on("close", () => resolve(Date.now() - started));
        });
      const [slowHeaders, slowBody] = await Promise.all([
        closedAfter("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "),
        closedAfter('POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"q'),
      ]);
      expect(slowHeaders).toBeLessThan(5_000);
      expect(slowBody).toBeLessThan(6_000);

      // The client asks for SSE progress and leaves at once; the upload is still indexed.
      const upload = multipart([{ name: "keys.md", content: KEYS_MD }]);
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
          const head = `POST /api/ingest HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Type: ${upload.headers["content-type"]}\r\nContent-Length: ${upload.payload.length}\r\n\r\n`;
          socket.write(Buffer.concat([Buffer.from(head), upload.payload]), () => {
            socket.once("data", () => {
              socket.destroy();
              resolve();
            });
          });
        });
      });
      const deadline = Date.now() + 30_000;
      while ((await rag.documents()).length === 0 && Date.now() < deadline) await sleep(100);
      expect((await rag.documents()).map((d) => d.metadata.filename)).toEqual(["keys.md"]);
    } finally {
      await close();
    }
  });
});

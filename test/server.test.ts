import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { OpenAIGenerator } from "../src/generate/openai.js";
import { makePdf } from "./helpers/pdf.js";
import { multipart, serverFor } from "./helpers/server.js";

const KEYS_MD = "# Keys\n\nRotate the signing key every ninety days. Publish the new key before retiring the old one.\n";

describe("HTTP server (in-process)", () => {
  it("uploads files, lists, reads, searches, answers, deletes; upload names never become paths", async () => {
    const { app, rag, close } = await serverFor();
    try {
      const upload = multipart([
        { name: "../../etc/keys.md", content: KEYS_MD },
        { name: "ferries.pdf", content: makePdf(["Ferries leave the harbour at dawn."]) },
        { name: "bad.pdf", content: "%PDF-1.4 garbage" },
        { name: "tool.exe", content: "MZ" },
      ]);
      const ingested = await app.inject({ method: "POST", url: "/api/ingest", ...upload });
      expect(ingested.statusCode, ingested.body).toBe(200);
      const result = ingested.json();
      expect(result.added).toBe(2);
      expect(
        result.files.map((f: { name: string; status: string; error?: { code: string } }) => [f.name, f.status, f.error?.code]),
      ).toEqual([
        // The multipart parser keeps only the base name; we do not use even that on disk.
        ["keys.md", "indexed", undefined],
        ["ferries.pdf", "indexed", undefined],
        ["bad.pdf", "failed", "PARSE_FAILED"],
        ["tool.exe", "failed", "UNSUPPORTED_FORMAT"],
      ]);
      const stored = await readdir(path.join(rag.dir, "uploads"));
      expect(stored).toHaveLength(2);
      for (const name of stored) expect(name).toMatch(/^[0-9a-f]{32}\.(md|pdf)$/);
      // The same file again is recognised, not duplicated.
      const again = await app.inject({ method: "POST", url: "/api/ingest", ...multipart([{ name: "keys.md", content: KEYS_MD }]) });
      expect(again.json()).toMatchObject({ added: 0, unchanged: 1 });
      expect(await readdir(path.join(rag.dir, "uploads"))).toHaveLength(2);
      expect(existsSync(path.resolve(rag.dir, "../etc"))).toBe(false);

      const list = (await app.inject({ url: "/api/documents" })).json().documents as Array<{
        id: string;
        filename: string;
        chunks: number;
      }>;
      expect(list.map((d) => d.filename).sort()).toEqual(["ferries.pdf", "keys.md"]);
      const keys = list.find((d) => d.filename.endsWith("keys.md")) as { id: string };
      const one = (await app.inject({ url: `/api/documents/${keys.id}` })).json();
      expect(one.document.text).toBe(KEYS_MD);
      expect(one.chunks[0]).toMatchObject({ start: expect.any(Number), end: expect.any(Number) });

      const search = await app.inject({ method: "POST", url: "/api/search", payload: { query: "ferries dawn", k: 2 } });
      expect(search.json().hits[0].text).toContain("Ferries");

      const ask = (
        await app.inject({ method: "POST", url: "/api/ask", payload: { question: "How often is the signing key rotated?" } })
      ).json();
      expect(ask.citations[0].quote).toContain("ninety days");

      const streamed = await app.inject({
        method: "POST",
        url: "/api/ask",
        payload: { question: "How often is the signing key rotated?", stream: true },
      });
      expect(streamed.headers["content-type"]).toMatch(/text\/event-stream/);
      const events = streamed.body
        .split("\n\n")
        .filter(Boolean)
        .map((e) => e.split("\n")[0]);
      expect(events[0]).toBe("event: hits");
      expect(events).toContain("event: token");
      expect(events.at(-1)).toBe("event: answer");

      const chat = await app.inject({
        method: "POST",
        url: "/api/chat",
        payload: {
          messages: [
            { role: "user", content: "How often is the key rotated?" },
            { role: "assistant", content: "Every ninety days." },
            { role: "user", content: "and what do I publish first?" },
          ],
        },
      });
      expect(chat.json().answer).toMatch(/new key/);

      expect((await app.inject({ method: "DELETE", url: `/api/documents/${keys.id}` })).json()).toEqual({ removed: 1 });
      expect(await readdir(path.join(rag.dir, "uploads"))).toHaveLength(1);
      expect((await app.inject({ method: "DELETE", url: `/api/documents/${keys.id}` })).json()).toMatchObject({
        error: { code: "DOCUMENT_NOT_FOUND" },
      });
      expect((await app.inject({ method: "DELETE", url: `/api/documents/${encodeURIComponent("/")}` })).statusCode).toBe(404);
      expect((await app.inject({ url: "/api/stats" })).json().documents).toBe(1);

      const bad = await app.inject({ method: "POST", url: "/api/search", payload: { query: "" } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe("INVALID_ARGUMENT");
      expect((await app.inject({ url: "/nope" })).json()).toMatchObject({ error: { code: "NOT_FOUND" } });

      const json = await app.inject({
        method: "POST",
        url: "/api/ingest",
        payload: { documents: [{ id: "n1", source: "mem://n1", text: "Notes about tides." }] },
      });
      expect(json.json().added).toBe(1);

      const gulls = multipart([{ name: "gulls.txt", content: "Gulls nest on the cliffs in spring." }]);
      const progress = await app.inject({
        method: "POST",
        url: "/api/ingest",
        payload: gulls.payload,
        headers: { ...gulls.headers, accept: "text/event-stream" },
      });
      expect(progress.headers["content-type"]).toMatch(/text\/event-stream/);
      const ingestEvents = progress.body.split("\n\n").filter(Boolean);
      const names = ingestEvents.map((e) => /^event: (.*)$/m.exec(e)?.[1]);
      expect(names[0]).toBe("file");
      expect(names).toContain("progress");
      expect(names.at(-1)).toBe("done");
      expect(JSON.parse(/^data: (.*)$/m.exec(ingestEvents.at(-1) as string)?.[1] as string)).toMatchObject({
        added: 1,
        files: [{ name: "gulls.txt", status: "indexed" }],
      });
    } finally {
      await close();
    }
  });

  it("metrics are Prometheus text; OpenAPI describes the routes; health needs no key", async () => {
    const { app, close } = await serverFor({ apiKeys: ["secret-key-1", "secret-key-2"] });
    try {
      expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
      const auth = { authorization: "Bearer secret-key-2" };
      await app.inject({ url: "/api/stats", headers: auth });
      const metrics = await app.inject({ url: "/metrics", headers: auth });
      expect(metrics.headers["content-type"]).toMatch(/text\/plain/);
      for (const line of metrics.body.split("\n").filter((l) => l && !l.startsWith("#"))) {
        // Values are Go floats: prom-client writes "Nan" before the event-loop monitor has data.
        expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|[+-]?Inf|nan)$/i);
      }
      expect(metrics.body).toMatch(/ragkit_store_cache_bytes \d+/);
      expect(metrics.body).toMatch(/ragkit_process_resident_memory_bytes \d+/);
      expect(metrics.body).toMatch(/ragkit_http_requests_total\{method="GET",route="\/api\/stats",status="200"\} 1/);
      expect(metrics.body).toMatch(/ragkit_index_documents 0/);
      const openapi = (await app.inject({ url: "/openapi.json", headers: auth })).json();
      expect(openapi.openapi).toMatch(/^3\./);
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(["/api/search", "/api/ask", "/v1/chat/completions", "/api/documents/{id}"]),
      );
    } finally {
      await close();
    }
  });

  it("auth: missing or wrong key is 401 on every route but /health; rate limit gives 429 with Retry-After", async () => {
    const open = await serverFor({ apiKeys: ["secret-key-1"] });
    try {
      for (const [method, url] of [
        ["GET", "/api/documents"],
        ["POST", "/api/search"],
        ["POST", "/api/ask"],
        ["GET", "/v1/models"],
        ["POST", "/v1/chat/completions"],
        ["POST", "/mcp"],
        ["GET", "/metrics"],
        ["GET", "/openapi.json"],
      ] as const) {
        for (const headers of [{}, { authorization: "Bearer wrong-key-xx" }]) {
          const response = await open.app.inject({ method, url, headers, payload: method === "POST" ? {} : undefined });
          expect([url, response.statusCode, response.json().error.code]).toEqual([url, 401, "UNAUTHORIZED"]);
        }
      }
    } finally {
      await open.close();
    }
    const { app, close } = await serverFor({ apiKeys: ["secret-key-1"], rateLimit: 3 });
    try {
      const ok = { authorization: "Bearer secret-key-1" };
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof app.inject>> | undefined;
      for (let i = 0; i < 5; i++) {
        last = await app.inject({ url: "/api/stats", headers: ok });
        statuses.push(last.statusCode);
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect(Number(last?.headers["retry-after"])).toBeGreaterThan(0);
      expect(last?.json().error.code).toBe("RATE_LIMITED");
      expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
      // Guessing keys does not escape the limit: made-up keys share the address's bucket.
      const guesses: number[] = [];
      for (let i = 0; i < 5; i++)
        guesses.push((await app.inject({ url: "/api/stats", headers: { authorization: `Bearer guess-${i}-xxxx` } })).statusCode);
      expect(guesses).toContain(429);
    } finally {
      await close();
    }
  });
});

/** A server with one key and the keys document, listening on a real port. */
async function listeningWithKeys() {
  const { app, close } = await serverFor({ apiKeys: ["secret-key-1"] });
  await app.inject({
    method: "POST",
    url: "/api/ingest",
    headers: { authorization: "Bearer secret-key-1" },
    payload: { documents: [{ source: "mem://keys", text: KEYS_MD }] },
  });
  return { address: await app.listen({ host: "127.0.0.1", port: 0 }), close };
}

describe("HTTP server on a real socket", () => {
  it("the official openai client streams a cited chat completion from /v1 and embeds", async () => {
    const { address, close } = await listeningWithKeys();
    try {
      const client = new OpenAI({ baseURL: `${address}/v1`, apiKey: "secret-key-1" });
      const stream = await client.chat.completions.create({
        model: "ragkit",
        stream: true,
        messages: [{ role: "user", content: "How often is the signing key rotated?" }],
      });
      let text = "";
      let extension: { citations?: Array<{ quote: string }> } | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        const ragkit = (chunk as unknown as { ragkit?: typeof extension }).ragkit;
        if (ragkit) extension = ragkit;
      }
      expect(text).toContain("ninety days");
      expect(text).toMatch(/Sources:\n\[1\] mem:\/\/keys/);
      expect(extension?.citations?.[0]?.quote).toContain("ninety days");

      const whole = await client.chat.completions.create({
        model: "ragkit",
        messages: [{ role: "user", content: "How often is the signing key rotated?" }],
      });
      expect(whole.choices[0]?.message.content).toContain("ninety days");
      const models = await client.models.list();
      expect(models.data.map((m) => m.id)).toContain("ragkit");
      const embeddings = await client.embeddings.create({ model: "x", input: ["one", "two"] });
      expect(embeddings.data).toHaveLength(2);
      expect(embeddings.data[0]?.embedding).toHaveLength(512);
      await expect(new OpenAI({ baseURL: `${address}/v1`, apiKey: "nope-nope-nope", maxRetries: 0 }).models.list()).rejects.toMatchObject({
        status: 401,
      });
    } finally {
      await close();
    }
  });

  it("ragkit's own OpenAI-compatible provider can use ragkit's /v1 as its model", async () => {
    const { address, close } = await listeningWithKeys();
    try {
      const generator = new OpenAIGenerator({ model: "ragkit", baseUrl: `${address}/v1`, apiKey: "secret-key-1" });
      let text = "";
      for await (const delta of generator.stream([{ role: "user", content: "How often is the signing key rotated?" }])) text += delta;
      expect(text).toContain("ninety days");
      const wrongKey = new OpenAIGenerator({ model: "ragkit", baseUrl: `${address}/v1`, apiKey: "wrong-key-123", maxRetries: 0 });
      await expect(
        wrongKey
          .stream([{ role: "user", content: "x" }])
          [Symbol.asyncIterator]()
          .next(),
      ).rejects.toMatchObject({ code: "PROVIDER_AUTH" });
    } finally {
      await close();
    }
  });

  it("an MCP client lists and calls the four tools over HTTP and reads document resources", async () => {
    const { app, close } = await serverFor();
    try {
      await app.inject({
        method: "POST",
        url: "/api/ingest",
        payload: { documents: [{ id: "keys", source: "mem://keys", text: KEYS_MD }] },
      });
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      const client = new Client({ name: "test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${address}/mcp`)));
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(tools).toEqual(["ask", "get_document", "list_documents", "search"]);
      const searched = await client.callTool({ name: "search", arguments: { query: "signing key", k: 1 } });
      expect(JSON.parse((searched.content as Array<{ text: string }>)[0]?.text as string).hits[0].documentId).toBe("keys");
      const asked = await client.callTool({ name: "ask", arguments: { question: "How often is the signing key rotated?" } });
      expect((asked.content as Array<{ text: string }>)[0]?.text).toContain("ninety days");
      const listed = await client.callTool({ name: "list_documents", arguments: {} });
      expect((listed.content as Array<{ text: string }>)[0]?.text).toContain("mem://keys");
      const doc = await client.callTool({ name: "get_document", arguments: { id: "keys" } });
      expect((doc.content as Array<{ text: string }>)[0]?.text).toContain("Rotate the signing key");
      const missing = await client.callTool({ name: "get_document", arguments: { id: "nope" } });
      expect(missing.isError).toBe(true);
      const resources = await client.listResources();
      expect(resources.resources.map((r) => r.uri)).toEqual(["ragkit://documents/keys"]);
      const read = await client.readResource({ uri: "ragkit://documents/keys" });
      expect((read.contents[0] as { text: string }).text).toBe(KEYS_MD);
      await client.close();
    } finally {
      await close();
    }
  });
});

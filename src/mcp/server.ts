import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { answerJson, hitJson } from "../json.js";
import type { Rag } from "../rag.js";

/** Every tool argument is bounded: an MCP client is as untrusted as any HTTP one. */
export interface McpLimits {
  maxQueryChars: number;
}

const asText = (value: unknown) => ({ content: [{ type: "text" as const, text: JSON.stringify(value, null, 2) }] });

/**
 * The index as an MCP server: tools `search`, `ask`, `list_documents`, `get_document`, and each
 * document as a resource `ragkit://documents/{id}`. Transport-agnostic (stdio or HTTP).
 */
export function createMcpServer(rag: Rag, version: string, limits: McpLimits = { maxQueryChars: 10_000 }): McpServer {
  const text = z.string().min(1).max(limits.maxQueryChars);
  const server = new McpServer({ name: "ragkit", version });
  server.registerTool(
    "search",
    {
      title: "Search documents",
      description: "Find the passages of the indexed documents that best match a query (hybrid BM25 + embeddings).",
      inputSchema: {
        query: text,
        k: z.number().int().min(1).max(50).optional(),
        mode: z.enum(["hybrid", "dense", "lexical"]).optional(),
      },
    },
    async ({ query, k, mode }) =>
      asText({ hits: (await rag.search(query, { ...(k ? { k } : {}), ...(mode ? { mode } : {}) })).map(hitJson) }),
  );
  server.registerTool(
    "ask",
    {
      title: "Ask the documents",
      description: "Answer a question from the indexed documents, with numbered citations to exact source spans.",
      inputSchema: { question: text, k: z.number().int().min(1).max(50).optional() },
    },
    async ({ question, k }) => {
      const { hits: _hits, ...answer } = answerJson(await rag.ask(question, k ? { k } : {}));
      return asText(answer);
    },
  );
  registerDocumentTools(server, rag);
  return server;
}

/** `list_documents`, `get_document`, and each document as a resource. */
function registerDocumentTools(server: McpServer, rag: Rag): void {
  server.registerTool(
    "list_documents",
    { title: "List documents", description: "The documents in the index, with ids, sources and sizes.", inputSchema: {} },
    async () =>
      asText({
        documents: (await rag.documents()).map((d) => ({
          id: d.id,
          source: d.source,
          title: d.title ?? null,
          chunks: d.chunkCount,
          chars: d.chars,
        })),
      }),
  );
  server.registerTool(
    "get_document",
    {
      title: "Get a document",
      description: "The full text of one indexed document, by id.",
      inputSchema: { id: z.string().min(1).max(1024) },
    },
    async ({ id }) => {
      const document = await rag.getDocument(id);
      if (!document) return { content: [{ type: "text" as const, text: `No document with id ${id}` }], isError: true };
      return asText({ id: document.id, source: document.source, title: document.title ?? null, text: document.text });
    },
  );
  server.registerResource(
    "document",
    new ResourceTemplate("ragkit://documents/{id}", {
      list: async () => ({
        resources: (await rag.documents()).map((d) => ({
          uri: `ragkit://documents/${encodeURIComponent(d.id)}`,
          name: d.title ?? d.source,
          mimeType: "text/plain",
        })),
      }),
    }),
    { title: "Indexed document", description: "The text of an indexed document", mimeType: "text/plain" },
    async (uri, { id }) => {
      const document = await rag.getDocument(decodeURIComponent(String(id)));
      return { contents: document ? [{ uri: uri.href, mimeType: "text/plain", text: document.text }] : [] };
    },
  );
}

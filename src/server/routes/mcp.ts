import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyInstance } from "fastify";
import { createMcpServer } from "../../mcp/server.js";
import type { Rag } from "../../rag.js";
import type { RouteLimits } from "./limits.js";

/** MCP over streamable HTTP, stateless: each request gets its own server and transport. */
export function registerMcp(app: FastifyInstance, rag: Rag, version: string, limits: RouteLimits): void {
  const handle = async (request: import("fastify").FastifyRequest, reply: import("fastify").FastifyReply) => {
    const server = createMcpServer(rag, version, { maxQueryChars: limits.maxQueryChars });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  };
  app.post("/mcp", { preHandler: limits.gates.answer.preHandler }, handle);
  app.get("/mcp", handle);
  app.delete("/mcp", handle);
}

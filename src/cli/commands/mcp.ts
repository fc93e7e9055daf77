import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Command } from "commander";
import { createMcpServer } from "../../mcp/server.js";
import { VERSION } from "../../version.js";
import { withRag } from "../common.js";
import { type AskFlags, generateOverrides, withModelOptions } from "./ask.js";

export function registerMcp(program: Command): void {
  withModelOptions(program.command("mcp").description("MCP server over stdio (tools: search, ask, list_documents, get_document)")).action(
    async (options: AskFlags, command: Command) => {
      await withRag(
        command,
        async (rag) => {
          const server = createMcpServer(rag, VERSION);
          const transport = new StdioServerTransport();
          const closed = new Promise<void>((resolve) => {
            transport.onclose = () => resolve();
            process.stdin.once("end", () => resolve());
          });
          await server.connect(transport);
          await closed;
          await server.close();
        },
        { config: generateOverrides(options) },
      );
    },
  );
}

import type { Command } from "commander";
import { createServer } from "../../server/app.js";
import { VERSION } from "../../version.js";
import { collect, parseIntOption, untilStopped, withRag } from "../common.js";
import { type AskFlags, generateOverrides, withModelOptions } from "./ask.js";
import { watchLogger } from "./watch.js";

export function registerServe(program: Command): void {
  withModelOptions(
    program
      .command("serve")
      .description("HTTP server: REST API, OpenAI-compatible /v1, MCP at /mcp, web UI at /")
      .option("--host <host>", "address to listen on (default 127.0.0.1; anything else needs RAGKIT_API_KEYS)")
      .option("--port <port>", "port (default 8080)", (v) => (v === "0" ? 0 : parseIntOption("--port")(v)))
      .option("--watch <dir>", "keep the index in step with this folder (repeatable)", collect),
  ).action(async (options: AskFlags & { host?: string; port?: number; watch?: string[] }, command: Command) => {
    const overrides = {
      ...generateOverrides(options),
      server: { ...(options.host ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) },
    };
    await withRag(
      command,
      async (rag) => {
        const app = await createServer(rag, {
          server: rag.config.server,
          maxFileBytes: rag.config.load.maxBytes,
          version: VERSION,
          logger: { level: "info" },
        });
        const address = await app.listen({ host: rag.config.server.host, port: rag.config.server.port });
        process.stderr.write(
          `ragkit ${VERSION} serving ${rag.location} at ${address} (web UI /, API /api, OpenAI /v1, MCP /mcp, docs /openapi.json)\n`,
        );
        const stopped = untilStopped();
        const watch = options.watch ? rag.watch(options.watch, { onEvent: watchLogger(false) }) : undefined;
        // A failing first ingest of a watched folder is reported, and the server keeps serving.
        watch?.ready.catch((error: Error) => process.stderr.write(`ragkit: watch failed: ${error.message}\n`));
        await stopped;
        await watch?.close();
        await app.close();
      },
      { config: overrides },
    );
  });
}

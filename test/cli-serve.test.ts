import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";
import { cliCommand, ROOT, runCli, spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";

async function index(): Promise<string> {
  const docs = await tempDir();
  await writeFile(path.join(docs, "tides.md"), "# Tides\n\nHigh tide at the north pier comes at 06:40 on Mondays.\n");
  const dir = path.join(await tempDir(), "idx");
  expect((await runCli(["ingest", docs, "--index", dir])).code).toBe(0);
  return dir;
}

describe("ragkit serve and ragkit mcp", () => {
  it("serve listens, answers /health and /api/search, refuses a public host without keys", async () => {
    const dir = await index();
    const child = spawnCli(["serve", "--index", dir, "--port", "0"]);
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let err = "";
        child.stderr.on("data", (d) => {
          err += d;
          const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
          if (m) resolve(m[1] as string);
        });
        child.on("close", () => reject(new Error(err)));
      });
      expect(await (await fetch(`${address}/health`)).json()).toEqual({ status: "ok" });
      const search = await fetch(`${address}/api/search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "high tide north pier" }),
      });
      expect(((await search.json()) as { hits: Array<{ text: string }> }).hits[0]?.text).toContain("06:40");
      expect((await fetch(`${address}/`)).headers.get("content-security-policy")).toContain("script-src 'self'");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.on("close", r));
    }
    const open = await runCli(["serve", "--index", dir, "--host", "0.0.0.0", "--port", "0"]);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/INVALID_CONFIG.*RAGKIT_API_KEYS/);
  });

  it("an MCP client lists and calls the tools over stdio", async () => {
    const dir = await index();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: cliCommand(["mcp", "--index", dir]),
      cwd: ROOT,
      stderr: "pipe",
    });
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["ask", "get_document", "list_documents", "search"]);
      const asked = await client.callTool({ name: "ask", arguments: { question: "When is high tide at the north pier?" } });
      expect((asked.content as Array<{ text: string }>)[0]?.text).toContain("06:40");
    } finally {
      await client.close();
    }
  });
});

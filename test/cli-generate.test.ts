import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliCommand, ROOT, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/fs.js";
import { tinyGenerator, tinyModelFile } from "./helpers/models.js";
import { startOpenAIServer } from "./helpers/openai-server.js";

async function indexWithKeys(): Promise<string> {
  const docs = await tempDir();
  await writeFile(
    path.join(docs, "keys.md"),
    "# Keys\n\n## Rotation\n\nRotate the signing key every ninety days. Publish the new key before retiring the old one.\n\n## Storage\n\nKeys live in the vault, encrypted at rest.\n",
  );
  const index = path.join(await tempDir(), "idx");
  const result = await runCli(["ingest", docs, "--index", index]);
  expect(result.code, result.stderr).toBe(0);
  return index;
}

interface AskJson {
  answer: string;
  model: string;
  usage?: { completionTokens?: number };
  citations: Array<{ marker: number; source: string; start: number; end: number; quote: string; documentId: string }>;
}

describe("ragkit ask with a language model", () => {
  it("--model <gguf> streams an answer then its sources; --json quotes match the files", async () => {
    const index = await indexWithKeys();
    const model = await tinyModelFile({ favour: "▁[1]" });
    const env = { RAGKIT_GENERATE_MAX_TOKENS: "6" };
    const streamed = await runCli(["ask", "How often is the signing key rotated?", "--index", index, "--model", model, "--stream"], {
      env,
    });
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stdout).toMatch(/\[1\][\s\S]*\nSources:\n {2}\[1\] /);

    const json = await runCli(["ask", "How often is the signing key rotated?", "--index", index, "--model", model, "--json"], { env });
    const out = JSON.parse(json.stdout) as AskJson;
    expect(out.model).toBe("tiny-favour.gguf");
    expect(out.usage?.completionTokens).toBeLessThanOrEqual(6);
    expect(out.citations.length).toBe(1);
    for (const c of out.citations) expect((await readFile(c.source, "utf8")).slice(c.start, c.end)).toBe(c.quote);
  });

  it("--base-url points at any OpenAI-compatible server; failures exit 1 with the code", async () => {
    const index = await indexWithKeys();
    const generator = await tinyGenerator();
    const server = await startOpenAIServer(generator);
    try {
      const result = await runCli(
        ["ask", "How often is the key rotated?", "--index", index, "--base-url", server.baseUrl, "--model", "tiny", "--stream"],
        {
          env: { RAGKIT_GENERATE_MAX_TOKENS: "8" },
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.stream).toBe(true);
      expect(server.requests[0]?.messages[1]?.content).toContain("Rotate the signing key every ninety days.");
      expect(server.requests[0]?.messages[1]?.content).toContain('<passage id="1"');
    } finally {
      await server.close();
      await generator.close();
    }
    const refused = await runCli(["ask", "x?", "--index", index, "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--json"], {
      env: { RAGKIT_GENERATE_MAX_RETRIES: "0" },
    });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: "PROVIDER_UNAVAILABLE" } });
  });

  it("ragkit chat in a pseudo-terminal answers a question and a follow-up, and shows sources", async () => {
    const index = await indexWithKeys();
    const command = [process.execPath, ...cliCommand(["chat", "--index", index])].join(" ");
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    child.stdout.on("data", (d) => {
      screen += d;
    });
    const prompts = () => screen.split("you> ").length - 1;
    const waitFor = async (n: number) => {
      for (let i = 0; i < 600 && prompts() < n; i++) await new Promise((r) => setTimeout(r, 100));
    };
    await waitFor(1);
    child.stdin.write("How often is the signing key rotated?\n");
    await waitFor(2);
    child.stdin.write("and where do they live?\n");
    await waitFor(3);
    child.stdin.write("/sources\n");
    await waitFor(4);
    child.stdin.write("/exit\n");
    await new Promise((resolve) => child.on("close", resolve));
    const answers = screen.split("ragkit> ").slice(1);
    expect(answers[0]).toContain("ninety days");
    // The follow-up only makes sense with the first question's subject ("keys").
    expect(answers[1]).toContain("vault");
    expect(screen).toMatch(/Sources:\r?\n {2}\[1\] .*keys\.md/);
  });

  it("models list shows the GGUF files in the models directory; pull names what is missing", async () => {
    const dir = await tempDir();
    const empty = await runCli(["models", "list", "--dir", dir]);
    expect(empty.stdout).toMatch(/No models in/);
    await writeFile(path.join(dir, "tiny.gguf"), Buffer.alloc(2_000_000));
    const listed = JSON.parse((await runCli(["models", "list", "--dir", dir, "--json"])).stdout) as {
      models: Array<{ file: string; bytes: number }>;
    };
    expect(listed.models).toEqual([{ file: "tiny.gguf", path: path.join(dir, "tiny.gguf"), bytes: 2_000_000 }]);
    const index = await indexWithKeys();
    const missing = await runCli(["ask", "x?", "--index", index, "--model", "hf:nobody/none/none.gguf", "--json"], {
      env: { RAGKIT_MODELS_DIR: dir },
    });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.message).toMatch(/ragkit models pull hf:nobody\/none\/none.gguf/);
  });
});

import path from "node:path";
import { configSchema, type RagkitConfig } from "../../src/config.js";
import type { Generator } from "../../src/generate/types.js";
import { Rag } from "../../src/rag.js";
import { createServer } from "../../src/server/app.js";
import { tempDir } from "./fs.js";

export async function serverFor(
  options: {
    apiKeys?: string[];
    rateLimit?: number;
    generator?: Generator;
    webDir?: string;
    server?: Partial<RagkitConfig["server"]>;
    dir?: string;
    rerank?: Partial<RagkitConfig["rerank"]>;
  } = {},
) {
  const rag = await Rag.open({
    dir: options.dir ?? path.join(await tempDir(), "idx"),
    ...(options.generator ? { generator: options.generator } : {}),
    config: { generate: { maxTokens: 8 }, ...(options.rerank ? { rerank: options.rerank } : {}) },
  });
  const server = configSchema.parse({
    server: { apiKeys: options.apiKeys ?? [], ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}), ...options.server },
  }).server;
  const app = await createServer(rag, {
    server,
    maxFileBytes: 1_000_000,
    version: "test",
    ...(options.webDir ? { webDir: options.webDir } : {}),
  });
  return {
    rag,
    app,
    close: async () => {
      await app.close();
      await rag.close();
    },
  };
}

/** A multipart body built by hand, as a browser would send it. */
export function multipart(files: Array<{ name: string; content: string | Buffer; type?: string }>) {
  const boundary = `----ragkit${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: ${f.type ?? "application/octet-stream"}\r\n\r\n`,
      ),
    );
    parts.push(Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content));
    parts.push(Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

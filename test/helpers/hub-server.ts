import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/**
 * A Hugging Face hub stand-in on 127.0.0.1: `GET /<org>/<name>/resolve/main/<file>` serves the
 * files of a model folder the test wrote, as the hub (or a mirror named by HF_ENDPOINT) would.
 */
export async function startHub(models: Record<string, string>): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const match = /^\/(.+?)\/resolve\/main\/(.+)$/.exec(decodeURIComponent(req.url ?? ""));
    const folder = match ? models[match[1] as string] : undefined;
    const file = folder && match ? path.join(folder, match[2] as string) : "";
    if (!folder || !file.startsWith(folder) || !existsSync(file)) {
      res.writeHead(404).end("Entry not found");
      return;
    }
    res.writeHead(200, { "content-length": statSync(file).size, "content-type": "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

import { spawn } from "node:child_process";
import path from "node:path";
import autocannon from "autocannon";

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/**
 * Starts `ragkit serve` as its own process on an existing index and loads POST /api/search from
 * this process with autocannon, as a separate client would.
 */
export async function loadTestSearch(indexDir: string, queries: string[], seconds: number, connections: number): Promise<LoadResult> {
  const main = path.resolve(import.meta.dirname, "../src/cli/main.ts");
  const server = spawn(process.execPath, ["--import", "tsx", main, "serve", "--index", indexDir, "--port", "0"], {
    // The rate limiter is for strangers; the bench measures the server itself.
    env: { ...process.env, RAGKIT_SERVER_RATE_LIMIT: "1000000000" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let err = "";
      server.stderr.on("data", (d) => {
        err += d;
        const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
        if (m) resolve(m[1] as string);
      });
      server.on("close", () => reject(new Error(`server exited: ${err}`)));
    });
    let next = 0;
    const result = await autocannon({
      url: `${address}/api/search`,
      connections,
      duration: seconds,
      requests: [
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ query: queries[next++ % queries.length], k: 10 }) }),
        },
      ],
    });
    return {
      requests: result.requests.total,
      perSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    };
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.on("close", r));
  }
}

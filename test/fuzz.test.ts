import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config.js";
import { RagkitError, toRagkitError } from "../src/errors.js";
import { LOADERS } from "../src/load/index.js";
import type { Loader } from "../src/load/types.js";
import { fuzzRuns } from "./helpers/fuzz.js";
import { serverFor } from "./helpers/server.js";

const options = configSchema.parse({}).load;

/** What loadFile does with a loader's failure: every failure becomes a coded, per-file error. */
async function load(loader: Loader, bytes: Uint8Array) {
  const ext = loader.extensions[0] as string;
  try {
    const docs = [];
    for await (const d of loader.load({ path: `/fuzz/input${ext}`, bytes: Buffer.from(bytes) }, options)) docs.push(d);
    return { docs };
  } catch (error) {
    return { error: toRagkitError(error, "PARSE_FAILED", "fuzz") };
  }
}

const markup = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom("<div>", "</div>", "<p>", "<h1>", "</h1>", "<li>", "<table><tr><td>", "<!--", "-->", "<script>", "&amp;", "&#x0;"),
      fc.constantFrom("# ", "\n\n", "```", "[a](b)", "{", "}", "[", "]", '"', ",", ":", "\r\n", "\u0000", "\uFEFF", "é", "🙂"),
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(""));

describe("fuzzing", () => {
  it("every loader turns arbitrary bytes and markup into documents or a coded error, never a crash", async () => {
    const runs = Math.ceil(fuzzRuns() / LOADERS.length);
    for (const loader of LOADERS) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 600 }),
            markup.map((s) => new TextEncoder().encode(s)),
          ),
          async (bytes) => {
            const result = await load(loader, bytes);
            if (result.error) {
              expect(RagkitError.isInstance(result.error)).toBe(true);
              return;
            }
            for (const d of result.docs) {
              expect(typeof d.text).toBe("string");
              expect(d.id.length).toBeGreaterThan(0);
              expect(d.source).toBe(`/fuzz/input${loader.extensions[0]}`);
            }
          },
        ),
        { numRuns: runs },
      );
    }
  });

  it("every HTTP route answers any JSON body with a status below 500", async () => {
    // The rate limiter would answer most of the run with 429s; the fuzz is for the handlers.
    const { app, rag, close } = await serverFor({ rateLimit: 1_000_000_000 });
    try {
      await rag.ingest([{ id: "d1", source: "mem://d1", text: "Ferries leave the harbour at dawn. Keys rotate every ninety days." }]);
      const spec = (await app.inject({ url: "/openapi.json" })).json() as { paths: Record<string, Record<string, unknown>> };
      const routes = Object.entries(spec.paths).flatMap(([p, methods]) =>
        Object.keys(methods).map((m) => [m.toUpperCase(), p.replace(/\{[^}]+\}/g, "d1")] as const),
      );
      const posts = routes.filter(([m]) => m === "POST" || m === "DELETE");
      expect(posts.length).toBeGreaterThan(5);
      // Shapes close to valid ones find the deep paths; fc.anything() finds the rest.
      const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("", " ", "ferries", "\u0000", "[1]"));
      const value = fc.oneof(
        text,
        fc.integer(),
        fc.constant(null),
        fc.boolean(),
        fc.array(text, { maxLength: 3 }),
        fc.object({ maxDepth: 2 }),
      );
      const body = fc.oneof(
        fc.anything({ maxDepth: 3 }),
        fc.record(
          {
            query: value,
            question: value,
            input: value,
            k: fc.oneof(fc.integer({ min: -5, max: 200 }), value),
            mode: fc.oneof(fc.constantFrom("hybrid", "dense", "lexical"), value),
            filter: fc.oneof(fc.record({ source: value, documentId: value, metadata: value }, { requiredKeys: [] }), value),
            messages: fc.oneof(
              fc.array(fc.record({ role: fc.oneof(fc.constantFrom("user", "assistant", "system"), value), content: value }), {
                maxLength: 3,
              }),
              value,
            ),
            documents: fc.oneof(
              fc.array(fc.record({ source: value, text: value, id: value, metadata: value }, { requiredKeys: [] }), { maxLength: 2 }),
              value,
            ),
            stream: value,
          },
          { requiredKeys: [] },
        ),
      );
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...posts), body, async ([method, url], payload) => {
          const response = await app.inject({
            method: method as "POST" | "DELETE",
            url,
            payload: JSON.stringify(payload) ?? "null",
            // MCP's transport wants both; elsewhere event-stream would switch answers to SSE.
            headers: {
              "content-type": "application/json",
              accept: url === "/mcp" ? "application/json, text/event-stream" : "application/json",
            },
          });
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          if (response.statusCode >= 500)
            failures.push(`${method} ${url} ${JSON.stringify(payload)} → ${response.statusCode} ${response.body}`);
          expect(response.statusCode).toBeLessThan(500);
        }),
        { numRuns: fuzzRuns() },
      );
      expect(failures).toEqual([]);
      // The generated bodies reach the handlers, not only the schema check.
      console.log(`fuzzed bodies by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(fuzzRuns() / 50);
      // Whatever the fuzzed ingests and deletes did, the index is consistent.
      expect((await rag.doctor()).ok).toBe(true);
    } finally {
      await close();
    }
  });
});

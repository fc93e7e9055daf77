import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { serverFor } from "./helpers/server.js";

const KEY = "sk-test-0123456789";

/** A request sent byte for byte (like `curl --path-as-is`): no client normalises the path first. */
function raw(port: number, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: rawPath, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    if (method === "POST") {
      req.setHeader("content-type", "application/json");
      req.end(JSON.stringify({ query: "x", question: "x", input: "x", documents: [], messages: [{ role: "user", content: "x" }] }));
    } else req.end();
  });
}

const encodeAll = (s: string) => [...s].map((c) => (c === "/" ? c : `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)).join("");

/** Spellings of one path that a router may decode or normalise to the same route. */
function variants(route: string): string[] {
  const [first, ...rest] = route.slice(1).split("/");
  const head = first as string;
  const tail = rest.length ? `/${rest.join("/")}` : "";
  const firstEncoded = `/%${head.charCodeAt(0).toString(16)}${head.slice(1)}${tail}`;
  return [
    firstEncoded,
    `/%${head.charCodeAt(0).toString(16).toUpperCase()}${head.slice(1)}${tail}`,
    encodeAll(route),
    `/%25${head.charCodeAt(0).toString(16)}${head.slice(1)}${tail}`,
    route.toUpperCase(),
    `/${head[0]?.toUpperCase()}${head.slice(1)}${tail}`,
    `/x/..${route}`,
    `/.${route}`,
    `/%2e${route}`,
    `/x/%2e%2e${route}`,
    `/${route}`,
    `${route}/`,
    `${route}?a=1`,
    `${route};x`,
    route.replace(/\//g, "%2f").replace(/^%2f/, "/"),
  ];
}

describe("API keys cannot be bypassed by spelling a path differently", () => {
  it("every route from /openapi.json, and /mcp, /metrics, /openapi.json, refuses every spelling without a key", async () => {
    const { app, rag, close } = await serverFor({ apiKeys: [KEY] });
    try {
      await rag.ingest([{ id: "doc-1", source: "mem://a", text: "Rotate the signing key every ninety days." }]);
      await app.listen({ host: "127.0.0.1", port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const auth = { authorization: `Bearer ${KEY}` };
      const spec = (await app.inject({ url: "/openapi.json", headers: auth })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      const routes: Array<[string, string]> = [];
      for (const [p, methods] of Object.entries(spec.paths)) {
        for (const method of Object.keys(methods)) routes.push([method.toUpperCase(), p.replace(/\{[^}]+\}/g, "doc-1")]);
      }
      routes.push(["GET", "/metrics"], ["GET", "/openapi.json"], ["POST", "/mcp"]);
      expect(routes.length).toBeGreaterThan(10);
      const leaks: string[] = [];
      for (const [method, route] of routes) {
        const isPublic = route === "/health";
        for (const spelling of [route, ...variants(route)]) {
          const status = await raw(port, method, spelling);
          if (!isPublic && status < 400) leaks.push(`${method} ${spelling} → ${status}`);
        }
      }
      expect(leaks).toEqual([]);
      // The check is not just refusing everything: the plain path works with the key.
      expect(await raw(port, "GET", "/api/stats", auth)).toBe(200);
      expect(await raw(port, "GET", "/%61pi/stats", auth)).toBe(200);
      expect(await raw(port, "GET", "/health")).toBe(200);
      // Nothing was deleted or added by the attempts.
      expect((await rag.documents()).map((d) => d.id)).toEqual(["doc-1"]);
    } finally {
      await close();
    }
  });
});

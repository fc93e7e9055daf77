import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Rag } from "../rag.js";

/**
 * Prometheus metrics: request counts and latencies by route, ingest counters, index size, the
 * store's cache memory, and the process (RSS, heap, event-loop lag) from prom-client's defaults.
 */
export function installMetrics(app: FastifyInstance, rag: Rag): { ingested: Counter<"result"> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ragkit_" });
  const requests = new Counter({
    name: "ragkit_http_requests_total",
    help: "HTTP requests",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "ragkit_http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const ingested = new Counter({
    name: "ragkit_ingest_documents_total",
    help: "Documents processed by ingest",
    labelNames: ["result"],
    registers: [registry],
  });
  const documents = new Gauge({ name: "ragkit_index_documents", help: "Documents in the index", registers: [registry] });
  const chunks = new Gauge({ name: "ragkit_index_chunks", help: "Chunks in the index", registers: [registry] });
  const bytes = new Gauge({ name: "ragkit_index_bytes", help: "Index size on disk", registers: [registry] });
  const cache = new Gauge({ name: "ragkit_store_cache_bytes", help: "Memory held by the store's caches", registers: [registry] });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", async (_request, reply) => {
    const stats = await rag.stats();
    documents.set(stats.documents);
    chunks.set(stats.chunks);
    bytes.set(stats.bytesOnDisk);
    if (stats.cacheBytes !== undefined) cache.set(stats.cacheBytes);
    void reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
  return { ingested };
}

import type { FastifyReply, FastifyRequest } from "fastify";

export interface SseChannel {
  send(event: string, data: unknown): void;
  /** Raw `data:` line without an event name (the OpenAI stream format). */
  data(payload: string): void;
  end(): void;
  /** Aborted when the client goes away, so generation stops instead of running on. */
  signal: AbortSignal;
}

export function wantsStream(request: FastifyRequest, bodyFlag: unknown): boolean {
  return bodyFlag === true || (request.headers.accept ?? "").includes("text/event-stream");
}

/** Takes over the response for Server-Sent Events. */
export function openSse(reply: FastifyReply): SseChannel {
  const controller = new AbortController();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    ...(reply.getHeaders() as Record<string, string>),
  });
  // A comment line now and then keeps a quiet stream (a model thinking) under the idle timeout.
  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(": ping\n\n");
  }, 15_000);
  heartbeat.unref();
  res.on("close", () => {
    clearInterval(heartbeat);
    if (!res.writableEnded) controller.abort();
  });
  return {
    send: (event, data) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    data: (payload) => {
      if (!res.writableEnded) res.write(`data: ${payload}\n\n`);
    },
    end: () => {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    },
    signal: controller.signal,
  };
}

import { parentPort, workerData } from "node:worker_threads";
import { faultPoint } from "../store/faults.js";

/**
 * The child side of a pool endpoint: the same calls in a worker thread or a forked process. Every
 * request is acknowledged as it arrives, so the pool can tell a worker that died running a batch
 * (the batch may be what kills it) from one that died before it got the batch.
 */
export interface Channel {
  data: unknown;
  on(listener: (message: unknown) => void): void;
  post(message: unknown, transfer?: ArrayBuffer[]): void;
}

export function workerChannel(): Channel {
  const port = parentPort;
  if (port) {
    return {
      data: workerData,
      on: (listener) =>
        port.on(
          "message",
          acknowledged(listener, (m) => port.postMessage(m)),
        ),
      post: (message, transfer) => port.postMessage(message, transfer ?? []),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error("a pool worker must run in a worker thread or a forked process");
  // Orphaned by a parent that died without stopping it: go too, instead of holding a model's memory.
  process.on("disconnect", () => process.exit(0));
  return {
    data: JSON.parse(process.env.RAGKIT_WORKER_DATA ?? "null"),
    on: (listener) =>
      process.on(
        "message",
        acknowledged(listener, (m) => send(m)),
      ),
    post: (message) => send(message as object),
  };
}

function acknowledged(listener: (message: unknown) => void, post: (message: object) => void): (message: unknown) => void {
  return (message) => {
    post({ id: (message as { id: number }).id, started: true });
    faultPoint("worker:batch");
    listener(message);
  };
}

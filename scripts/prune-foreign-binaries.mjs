// Runs from `prepare`, i.e. only in a clone of this repository (never in a user's install of the
// package). npm installs ONNX Runtime's libraries for every OS and processor in one package, and
// node-llama-cpp's prebuilt packages declare several processors each, so a clone carried ~180 MB of
// native code this machine can never load. This removes those files and nothing else: the package
// folders and their package.json stay, so `npm ls` is unchanged, and `npm ci` restores them.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../node_modules/", import.meta.url));
const arch = process.arch === "arm" ? "armv7l" : process.arch;
const llamaOs = { darwin: "mac", win32: "win", linux: "linux" }[process.platform];

let freed = 0;

function sizeOf(path) {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    // `parentPath` from Node 20.12 on, `path` before.
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}

function remove(path) {
  if (!existsSync(path)) return;
  freed += sizeOf(path);
  rmSync(path, { recursive: true, force: true });
}

// onnxruntime-node/bin/napi-v3/<platform>/<arch>/
const ort = join(root, "onnxruntime-node/bin/napi-v3");
if (existsSync(ort)) {
  for (const platform of readdirSync(ort)) {
    if (platform !== process.platform) remove(join(ort, platform));
    else {
      for (const cpu of readdirSync(join(ort, platform))) {
        if (cpu !== process.arch) remove(join(ort, platform, cpu));
      }
    }
  }
}

// @node-llama-cpp/<os>-<arch>[-variant]/bins/
const llama = join(root, "@node-llama-cpp");
if (llamaOs && existsSync(llama)) {
  const ours = `${llamaOs}-${arch}`;
  for (const name of readdirSync(llama)) {
    if (name !== ours && !name.startsWith(`${ours}-`)) remove(join(llama, name, "bins"));
  }
}

if (freed > 0) {
  console.log(`prune-foreign-binaries: removed ${(freed / 1e6).toFixed(0)} MB of libraries for other platforms`);
}

// Bundles the web UI (Preact) into dist/web: no CDN, served by `ragkit serve` from the same process.
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "web");
await mkdir(out, { recursive: true });
await build({
  entryPoints: [path.join(root, "web", "app.tsx")],
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  outfile: path.join(out, "app.js"),
  logLevel: "warning",
});
await copyFile(path.join(root, "web", "index.html"), path.join(out, "index.html"));
await copyFile(path.join(root, "web", "app.css"), path.join(out, "app.css"));

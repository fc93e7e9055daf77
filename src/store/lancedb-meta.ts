import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { faultPoint } from "./faults.js";
import { writeFileAtomic } from "./lancedb-journal.js";
import { checkMetaKey } from "./manifest.js";
import type { Manifest } from "./types.js";

/** Records kept beside a LanceDB folder's data (tunings, feedback, the ANN build log): `meta/<key>.json`. */
const META = "meta";
const MANIFEST = "manifest.json";

export async function readMetaFile(dir: string, key: string): Promise<unknown> {
  const file = path.join(dir, META, `${checkMetaKey(key)}.json`);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, "utf8")) as unknown;
}

export async function writeMetaFile(dir: string, key: string, value: unknown): Promise<void> {
  await mkdir(path.join(dir, META), { recursive: true });
  await writeFileAtomic(path.join(dir, META, `${checkMetaKey(key)}.json`), JSON.stringify(value));
}

export async function readManifestFile(dir: string): Promise<Manifest | undefined> {
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, "utf8")) as Manifest;
}

export async function writeManifestFile(dir: string, manifest: Manifest): Promise<void> {
  faultPoint("manifest:write");
  await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
}

/** The manifest of a LanceDB index folder, read before the index is opened (undefined: none yet, or unreadable). */
export function readManifestAt(dir: string): Manifest | undefined {
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

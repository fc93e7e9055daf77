import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "./lancedb-journal.js";
import { checkMetaKey } from "./manifest.js";

/** Records kept beside a LanceDB folder's data (tunings, feedback, the ANN build log): `meta/<key>.json`. */
const META = "meta";

export async function readMetaFile(dir: string, key: string): Promise<unknown> {
  const file = path.join(dir, META, `${checkMetaKey(key)}.json`);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, "utf8")) as unknown;
}

export async function writeMetaFile(dir: string, key: string, value: unknown): Promise<void> {
  await mkdir(path.join(dir, META), { recursive: true });
  await writeFileAtomic(path.join(dir, META, `${checkMetaKey(key)}.json`), JSON.stringify(value));
}

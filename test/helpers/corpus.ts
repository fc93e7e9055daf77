import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const WORDS = [
  "harbour",
  "ferry",
  "lantern",
  "granite",
  "orchard",
  "compass",
  "glacier",
  "meadow",
  "quarry",
  "saddle",
  "thistle",
  "voyage",
  "willow",
  "beacon",
  "cobalt",
  "dune",
  "ember",
  "falcon",
  "garnet",
  "hollow",
];

/**
 * A folder of small Markdown files, each with a distinctive phrase (`topic-N`) so a search can
 * tell which ones are indexed. Deterministic for a given prefix.
 */
export async function writeCorpus(dir: string, count: number, prefix = "doc"): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 40 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(" ");
    const file = path.join(dir, `${prefix}-${i}.md`);
    await writeFile(file, `# ${prefix} ${i}\n\nThis note is about ${prefix}topic${i}. ${words}.\n`);
    files.push(file);
  }
  return files;
}

import { existsSync, readFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { RagkitError } from "../errors.js";
import { loaderFor } from "./index.js";

export interface WalkOptions {
  /** Globs relative to each root; when given, only matching files are taken. */
  include: string[];
  exclude: string[];
  gitignore: boolean;
}

export interface WalkedFile {
  path: string;
  /** The directory argument this file was found under (the file itself for file arguments). */
  root: string;
  /** Set when the file was found but cannot be read by name (reported, not loaded). */
  error?: RagkitError;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A path argument that cannot be stat'ed, with the reason spelled out. */
function statError(root: string, error: unknown): RagkitError {
  const code = (error as NodeJS.ErrnoException).code;
  if (root.includes("\uFFFD")) {
    return new RagkitError("INVALID_FILE_NAME", `${root}: the name is not valid UTF-8; rename the file to index it`, { cause: error });
  }
  if (code === "ELOOP") return new RagkitError("READ_FAILED", `${root} is a symbolic link loop`, { cause: error });
  if (code === "EACCES" || code === "EPERM") return new RagkitError("READ_FAILED", `${root}: permission denied`, { cause: error });
  if (code === "ENAMETOOLONG") return new RagkitError("INVALID_FILE_NAME", `${root}: the name is too long`, { cause: error });
  if (code === "ENOENT" || code === "ENOTDIR") return new RagkitError("FILE_NOT_FOUND", `${root} does not exist`, { cause: error });
  return new RagkitError("READ_FAILED", `${root} could not be read: ${(error as Error).message}`, { cause: error });
}

// Never documents: version control, dependencies, and ragkit's own index.
export const ALWAYS_SKIPPED: ReadonlySet<string> = new Set([".git", ".hg", ".svn", "node_modules", ".ragkit"]);

interface IgnoreLayer {
  dir: string;
  rules: Ignore;
}

function readGitignore(dir: string): Ignore | undefined {
  const file = path.join(dir, ".gitignore");
  if (!existsSync(file)) return undefined;
  return ignore().add(readFileSync(file, "utf8"));
}

function ignoredBy(layers: IgnoreLayer[], absolute: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const relative = path.relative(layer.dir, absolute).split(path.sep).join("/");
    if (relative && !relative.startsWith("..") && layer.rules.ignores(isDir ? `${relative}/` : relative)) return true;
  }
  return false;
}

/**
 * Files under the given paths that a loader can read, in a stable order. Directories are walked
 * recursively honouring .gitignore files and include/exclude globs; a file named explicitly is
 * always taken (an unsupported one then fails loudly at load time instead of vanishing).
 */
export async function* walk(inputs: string[], options: WalkOptions): AsyncGenerator<WalkedFile> {
  for (const input of inputs) {
    const root = path.resolve(input);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(root);
    } catch (error) {
      throw statError(root, error);
    }
    if (!info.isDirectory()) {
      yield { path: root, root };
      continue;
    }
    const include = options.include.length > 0 ? picomatch(options.include, { dot: true }) : undefined;
    const exclude = options.exclude.length > 0 ? picomatch(options.exclude, { dot: true }) : undefined;
    const rootLayers: IgnoreLayer[] = [];
    if (options.gitignore) {
      // .gitignore files above the root still apply, up to the repository top.
      for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
        const rules = readGitignore(dir);
        if (rules) rootLayers.unshift({ dir, rules });
        if (existsSync(path.join(dir, ".git")) || path.dirname(dir) === dir) break;
      }
    }
    yield* walkDir(root, root, rootLayers, options.gitignore, include, exclude);
  }
}

async function* walkDir(
  dir: string,
  root: string,
  parentLayers: IgnoreLayer[],
  gitignore: boolean,
  include: picomatch.Matcher | undefined,
  exclude: picomatch.Matcher | undefined,
): AsyncGenerator<WalkedFile> {
  const own = gitignore ? readGitignore(dir) : undefined;
  const layers = own ? [...parentLayers, { dir, rules: own }] : parentLayers;
  let entries: Array<import("node:fs").Dirent<Buffer>>;
  try {
    entries = await readdir(dir, { withFileTypes: true, encoding: "buffer" });
  } catch {
    return;
  }
  const named: Array<{ entry: import("node:fs").Dirent<Buffer>; name: string; valid: boolean }> = entries.map((entry) => {
    try {
      return { entry, name: utf8.decode(entry.name), valid: true };
    } catch {
      return { entry, name: entry.name.toString("utf8"), valid: false };
    }
  });
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { entry, name, valid } of named) {
    const absolute = path.join(dir, name);
    if (!valid) {
      // Node cannot open such a name through a string path: say so instead of "not found".
      if (entry.isFile() && loaderFor(absolute)) {
        yield {
          path: absolute,
          root,
          error: new RagkitError("INVALID_FILE_NAME", `${absolute}: the name is not valid UTF-8; rename the file to index it`),
        };
      }
      continue;
    }
    const relative = path.relative(root, absolute).split(path.sep).join("/");
    if (entry.isDirectory()) {
      if (ALWAYS_SKIPPED.has(name) || ignoredBy(layers, absolute, true)) continue;
      if (exclude?.(relative) || exclude?.(`${relative}/`)) continue;
      yield* walkDir(absolute, root, layers, gitignore, include, exclude);
    } else if (entry.isFile()) {
      if (!loaderFor(absolute) || ignoredBy(layers, absolute, false)) continue;
      if (include && !include(relative)) continue;
      if (exclude?.(relative)) continue;
      yield { path: absolute, root };
    }
  }
}

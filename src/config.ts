import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { configSchema, type DeepPartial, type RagkitConfig, type RagkitConfigInput } from "./config-schema.js";
import { RagkitError } from "./errors.js";

export { configSchema, type DeepPartial, type RagkitConfig, type RagkitConfigInput } from "./config-schema.js";

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    out[key] = isPlain(value) && isPlain(out[key]) ? merge(out[key] as Plain, value) : value;
  }
  return out;
}

function envName(keys: string[]): string {
  return `RAGKIT_${keys.map((k) => k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("_")}`;
}

/**
 * Every leaf option is also `RAGKIT_<PATH>`, e.g. `search.denseWeight` is RAGKIT_SEARCH_DENSE_WEIGHT.
 * The defaults tell each variable's type, so values are coerced the same way for every option.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Plain {
  const defaults = configSchema.parse({}) as Plain;
  const out: Plain = {};
  const visit = (node: Plain, keys: string[], target: Plain) => {
    for (const [key, value] of Object.entries(node)) {
      const at = [...keys, key];
      if (isPlain(value)) {
        const child: Plain = {};
        visit(value, at, child);
        if (Object.keys(child).length > 0) target[key] = child;
        continue;
      }
      const raw = env[envName(at)];
      if (raw === undefined || raw === "") continue;
      if (typeof value === "number") target[key] = Number(raw);
      else if (typeof value === "boolean") target[key] = /^(1|true|yes|on)$/i.test(raw);
      else if (Array.isArray(value))
        target[key] = raw
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
      else target[key] = raw;
    }
  };
  visit(defaults, [], out);
  // The names other tools use for the same settings; RAGKIT_GENERATE_* wins over them.
  const generate = (out.generate ?? {}) as Plain;
  const aliases: Array<[string, string]> = [
    ["model", "RAGKIT_MODEL"],
    ["baseUrl", "OPENAI_BASE_URL"],
    ["apiKey", "OPENAI_API_KEY"],
  ];
  for (const [key, variable] of aliases) if (generate[key] === undefined && env[variable]) generate[key] = env[variable];
  if (Object.keys(generate).length > 0) out.generate = generate;
  const embedder = (out.embedder ?? {}) as Plain;
  if (embedder.apiKey === undefined && env.OPENAI_API_KEY) {
    embedder.apiKey = env.OPENAI_API_KEY;
    out.embedder = embedder;
  }
  const server = (out.server ?? {}) as Plain;
  if (server.apiKeys === undefined && env.RAGKIT_API_KEYS) {
    server.apiKeys = env.RAGKIT_API_KEYS.split(",")
      .map((k) => k.trim())
      .filter(Boolean);
    out.server = server;
  }
  return out;
}

export function parseConfig(input: unknown, origin: string): RagkitConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new RagkitError("INVALID_CONFIG", `Invalid configuration (${origin}): ${problems}`);
  }
  return result.data;
}

export interface ResolveConfigOptions {
  /** Path to a JSON config file; `ragkit.config.json` in cwd is used when present. */
  file?: string;
  /** Highest precedence: CLI flags or code. */
  overrides?: DeepPartial<RagkitConfigInput>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Defaults < config file < RAGKIT_* environment < explicit overrides, validated once. */
export function resolveConfig(options: ResolveConfigOptions = {}): RagkitConfig {
  const cwd = options.cwd ?? process.cwd();
  let fromFile: Plain = {};
  const file = options.file ? path.resolve(cwd, options.file) : path.join(cwd, "ragkit.config.json");
  if (options.file && !existsSync(file)) {
    throw new RagkitError("INVALID_CONFIG", `Config file ${file} does not exist`);
  }
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as Plain;
    } catch (error) {
      throw new RagkitError("INVALID_CONFIG", `Config file ${file} is not valid JSON: ${(error as Error).message}`);
    }
    if (!isPlain(fromFile)) throw new RagkitError("INVALID_CONFIG", `Config file ${file} must hold a JSON object`);
  }
  const merged = merge(merge(fromFile, configFromEnv(options.env)), (options.overrides ?? {}) as Plain);
  return parseConfig(merged, existsSync(file) ? file : "defaults, environment and flags");
}

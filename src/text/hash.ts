import { createHash } from "node:crypto";

export function sha256(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    hash.update(part);
    // A separator keeps ("ab","c") and ("a","bc") apart.
    hash.update("\u0000");
  }
  return hash.digest("hex");
}

/** Short stable id for a path or key: 16 hex chars is plenty against collisions in one index. */
export function shortId(value: string): string {
  return sha256(value).slice(0, 16);
}

import crypto from "node:crypto";

// One-shot hashing (Node ≥ 20.12) costs half what a Hash object does on the short texts ingest
// hashes by the thousand; older Node falls back to the object, with the same digest.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function sha256(...parts: string[]): string {
  // A separator after each part keeps ("ab","c") and ("a","bc") apart.
  const data = `${parts.join("\u0000")}\u0000`;
  return oneShot ? oneShot("sha256", data, "hex") : crypto.createHash("sha256").update(data).digest("hex");
}

/** Short stable id for a path or key: 16 hex chars is plenty against collisions in one index. */
export function shortId(value: string): string {
  return sha256(value).slice(0, 16);
}

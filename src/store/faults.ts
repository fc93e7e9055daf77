/**
 * Crash points for the crash harness (`npm run crash`): with RAGKIT_FAULT=<point> (and optionally
 * RAGKIT_FAULT_AFTER=n) set, the process kills itself with SIGKILL the n-th time it passes that point, so a
 * kill lands exactly inside a write instead of wherever a timer happens to fire. Unset (always,
 * outside the harness) this is one property read.
 */
export type FaultPoint =
  | "upsert:journaled"
  | "upsert:chunks-written"
  | "upsert:documents-written"
  | "delete:journaled"
  | "delete:documents-deleted"
  | "optimize:start"
  | "repair:rows-saved"
  | "manifest:write"
  | "reindex:staged"
  | "reindex:committing"
  // In a model worker as it gets a batch: meant for child-process workers (in a worker thread it
  // would kill the whole process).
  | "worker:batch";

const wanted = process.env.RAGKIT_FAULT;
const after = Number(process.env.RAGKIT_FAULT_AFTER ?? "1");
let passes = 0;

export function faultPoint(point: FaultPoint): void {
  if (wanted !== point) return;
  passes++;
  if (passes >= after) process.kill(process.pid, "SIGKILL");
}

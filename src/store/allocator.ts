// glibc gives threads that allocate at once arenas of their own, up to 8 per core, and keeps what
// they free for reuse instead of returning it to the system. LanceDB's native threads (writes,
// compaction, index builds, searches) each end up with one, so a long bulk load grows by what every
// arena once held: 1,445 MB peak at 150,000 chunks in calls of 10,000 by default, 1,146 MB with two
// arenas, no slower (scale bench); 2.7–3.9 GB against ~2.1–2.4 GB at a million. Setting
// MALLOC_ARENA_MAX in the environment does the same but must be done before the process starts, which a
// library cannot; mallopt(M_ARENA_MAX) does it from inside, for every arena created afterwards.

const M_ARENA_MAX = -8;

/** Two arenas: what the measurements above used; ingest was no slower with them on two cores. */
export const DEFAULT_MALLOC_ARENA_MAX = 2;

/** What `capMallocArenas` did, for logs and tests. */
export type ArenaCap = "capped" | "environment" | "off" | "unsupported";

let applied: Promise<ArenaCap> | undefined;

/**
 * Caps glibc's malloc arenas for this whole process at `max`, once (the first call wins; later calls
 * return its outcome). Leaves the allocator alone when `max` is 0, when MALLOC_ARENA_MAX is already in
 * the environment (glibc read it at start), and where glibc's mallopt is not there (macOS, Windows,
 * musl); never throws, since it only saves memory.
 */
export function capMallocArenas(max: number): Promise<ArenaCap> {
  applied ??= apply(max);
  return applied;
}

async function apply(max: number): Promise<ArenaCap> {
  if (max <= 0) return "off";
  if (process.env.MALLOC_ARENA_MAX) return "environment";
  if (process.platform !== "linux") return "unsupported";
  try {
    const koffi = (await import("koffi")).default;
    const mallopt = koffi.load("libc.so.6").func("int mallopt(int param, int value)");
    return mallopt(M_ARENA_MAX, max) === 1 ? "capped" : "unsupported";
  } catch {
    // No glibc (musl's libc has another name and no arenas), or no prebuilt FFI library for this system.
    return "unsupported";
  }
}

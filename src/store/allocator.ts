// glibc gives threads that allocate at once arenas of their own, up to 8 per core, and keeps what
// they free for reuse instead of returning it to the system. LanceDB's native threads (writes,
// compaction, index builds, searches) each end up with one, so a long bulk load grows by what every
// arena once held. Measured on plain Node (scale bench, calls of 10,000): 1,344 → 1,194 MB peak at
// 150,000 chunks with two arenas, searches no slower; 2.7–3.9 GB → 1.9 GB at a million. Setting
// MALLOC_ARENA_MAX in the environment does the same but must be done before the process starts, which a
// library cannot; mallopt(M_ARENA_MAX) does it from inside, for arenas created afterwards. glibc
// fixes its limit for good once a process has more than 8 arenas, so this must run early: before
// LanceDB's first import, and it cannot help a process (tsx, a busy host) that is past 8 already.
// Independently of the cap, and on by default, trimMalloc() asks glibc to release the free pages
// its arenas hold after each compaction (see there).

const M_ARENA_MAX = -8;

/**
 * Off unless asked for (`store.mallocArenaMax`): one full test run crashed a process that had the cap
 * with glibc's "malloc(): unaligned fastbin chunk detected" (heap corruption, not reproduced since,
 * in isolation or not). Sharing arenas may only have exposed a fault elsewhere, but until that is
 * understood a process-wide allocator change is the caller's choice.
 */
export const DEFAULT_MALLOC_ARENA_MAX = 0;

/** What `capMallocArenas` did, for logs and tests. */
export type ArenaCap = "capped" | "environment" | "off" | "unsupported";

let applied: Promise<ArenaCap> | undefined;

/**
 * Caps glibc's malloc arenas for this whole process at `max`, once (the first call that asks for a cap wins; later calls
 * return its outcome). Leaves the allocator alone when `max` is 0, when MALLOC_ARENA_MAX is already in
 * the environment (glibc read it at start), and where glibc's mallopt is not there (macOS, Windows,
 * musl); never throws, since it only saves memory.
 */
export function capMallocArenas(max: number): Promise<ArenaCap> {
  // Off is not remembered: with the default off, a later index opened with a cap still gets it.
  if (max <= 0) return Promise.resolve("off");
  applied ??= apply(max);
  return applied;
}

async function apply(max: number): Promise<ArenaCap> {
  if (process.env.MALLOC_ARENA_MAX) return "environment";
  const libc = await glibc();
  if (!libc) return "unsupported";
  const mallopt = libc.func("int mallopt(int param, int value)");
  return mallopt(M_ARENA_MAX, max) === 1 ? "capped" : "unsupported";
}

type Library = ReturnType<typeof import("koffi")["load"]>;
let loaded: Promise<Library | undefined> | undefined;

/** glibc through koffi, loaded once; undefined off Linux, on musl or without koffi's prebuilt library. */
function glibc(): Promise<Library | undefined> {
  loaded ??= (async () => {
    if (process.platform !== "linux") return undefined;
    try {
      return (await import("koffi")).default.load("libc.so.6");
    } catch {
      // No glibc (musl's libc has another name and no arenas), or no prebuilt FFI library for this system.
      return undefined;
    }
  })();
  return loaded;
}

type Trim = (pad: number, done: (error: unknown, released: number) => void) => void;
let trimmer: Trim | undefined;

/**
 * Hands back to the system the memory glibc's arenas hold free (`malloc_trim(0)`, on a koffi worker
 * thread, so the event loop does not wait for it). Compaction and index builds free hundreds of MB
 * in arenas that keep it for reuse; without this a bulk load's RSS grows by what each arena once
 * held. Unlike the arena cap it changes nothing about how memory is allocated. Resolves false where
 * there is no glibc; never throws.
 */
export async function trimMalloc(): Promise<boolean> {
  const libc = await glibc();
  if (!libc) return false;
  trimmer ??= libc.func("int malloc_trim(size_t pad)").async as Trim;
  const trim = trimmer;
  return new Promise((resolve) => trim(0, (error, released) => resolve(!error && released === 1)));
}

import { describe, expect, it } from "vitest";
import { BackgroundUpkeep, LockKeeper } from "../src/store/lancedb-background.js";
import type { WriteLock } from "../src/store/types.js";

/** An upkeep whose runs end when the test says so, counting how many ran and how many at once. */
function gatedUpkeep(fail = false) {
  const stats = { runs: 0, atOnce: 0, most: 0 };
  const gates: Array<() => void> = [];
  const upkeep = new BackgroundUpkeep(async () => {
    stats.runs++;
    stats.most = Math.max(stats.most, ++stats.atOnce);
    await new Promise<void>((resolve) => gates.push(resolve));
    stats.atOnce--;
    if (fail) throw new Error("disk full");
  });
  const finishRun = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { upkeep, stats, finishRun };
}

function lock(): WriteLock & { released: number } {
  const held = {
    released: 0,
    release: async () => {
      held.released++;
    },
  };
  return held;
}

describe("background upkeep", () => {
  it("runs one upkeep at a time, and once more for what was asked while it ran", async () => {
    const { upkeep, stats, finishRun } = gatedUpkeep();
    upkeep.start();
    upkeep.start();
    upkeep.start();
    expect(upkeep.busy).toBe(true);
    await finishRun();
    expect(upkeep.busy).toBe(true);
    await finishRun();
    await upkeep.idle();
    expect(upkeep.busy).toBe(false);
    // Three asks: the first run, and one more for the two that came while it ran.
    expect(stats).toMatchObject({ runs: 2, most: 1 });
  });

  it("keeps a failure for the next caller, once, and resolves idle() anyway", async () => {
    const { upkeep, finishRun } = gatedUpkeep(true);
    upkeep.start();
    await finishRun();
    await upkeep.idle();
    expect(String(upkeep.takeFailure())).toContain("disk full");
    expect(upkeep.takeFailure()).toBeUndefined();
  });

  it("keeps the write lock until the upkeep ends, unless a writer of this process takes it over", async () => {
    const { upkeep, finishRun } = gatedUpkeep();
    let givenBack = 0;
    const keeper = new LockKeeper(upkeep, () => givenBack++);

    const first = lock();
    upkeep.start();
    await keeper.release(first);
    expect(first.released).toBe(0);
    // The next writer takes the parked lock; the upkeep ending must not give it back under it.
    expect(keeper.takeOver()).toBe(first);
    expect(keeper.takeOver()).toBeUndefined();
    await finishRun();
    await upkeep.idle();
    expect(first.released).toBe(0);
    // That writer is done and no upkeep runs: the lock goes back at once.
    await keeper.release(first);
    expect(first.released).toBe(1);
    expect(givenBack).toBe(1);

    const second = lock();
    upkeep.start();
    await keeper.release(second);
    expect(second.released).toBe(0);
    await finishRun();
    await upkeep.idle();
    await new Promise((r) => setImmediate(r));
    expect(second.released).toBe(1);
    expect(keeper.takeOver()).toBeUndefined();
  });

  it("close waits for the upkeep and gives back a parked lock", async () => {
    const { upkeep, finishRun } = gatedUpkeep();
    const keeper = new LockKeeper(upkeep, () => {});
    const held = lock();
    upkeep.start();
    await keeper.release(held);
    const closing = keeper.close();
    await new Promise((r) => setImmediate(r));
    expect(held.released).toBe(0);
    await finishRun();
    await closing;
    expect(held.released).toBe(1);
  });
});

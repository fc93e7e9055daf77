import type { Command } from "commander";
import type { WatchEvent } from "../../types.js";
import { parseIntOption, untilStopped, type WalkFlags, walkOverrides, withRag, withWalkOptions } from "../common.js";
import { displayPath } from "../format.js";

/** One line per change: readable in a terminal, one JSON object per line with --json or off a TTY. */
export function watchLogger(json: boolean): (event: WatchEvent) => void {
  return (event) => {
    if (json || !process.stderr.isTTY) {
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), event: `watch.${event.kind}`, ...event })}\n`);
      return;
    }
    const detail = event.message ? `  ${event.code ? `${event.code}: ` : ""}${event.message}` : "";
    process.stderr.write(`watch: ${event.kind.padEnd(7)} ${event.kind === "ready" ? event.path : displayPath(event.path)}${detail}\n`);
  };
}

export function registerWatch(program: Command): void {
  withWalkOptions(
    program
      .command("watch")
      .description("ingest folders, then keep the index in step as files are added, changed or deleted (Ctrl-C to stop)")
      .argument("<paths...>", "directories to watch"),
  )
    .option("--debounce <ms>", "quiet time after a change before re-ingesting (default 300)", parseIntOption("--debounce"))
    .action(async (paths: string[], options: WalkFlags & { debounce?: number }, command: Command) => {
      const json = Boolean(command.optsWithGlobals().json);
      const config = walkOverrides(options);
      await withRag(
        command,
        async (rag) => {
          const watch = rag.watch(paths, {
            onEvent: watchLogger(json),
            ...(options.debounce ? { debounceMs: options.debounce } : {}),
          });
          const stopped = untilStopped();
          await Promise.race([watch.ready, stopped]);
          await stopped;
          await watch.close();
        },
        { config },
      );
    });
}

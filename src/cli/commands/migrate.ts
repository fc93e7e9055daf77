import type { Command } from "commander";
import { Rag } from "../../rag.js";
import { type GlobalOptions, printJson, storeOverrides } from "../common.js";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("create or upgrade the Postgres schema of --store (idempotent; a LanceDB folder needs none)")
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const done = await Rag.migrate({
        ...(globals.index ? { dir: globals.index } : {}),
        ...(globals.config ? { configFile: globals.config } : {}),
        config: storeOverrides(globals),
      });
      if (globals.json) printJson(done ?? { store: "lancedb", migrated: false });
      else if (!done)
        process.stdout.write("The index is a LanceDB folder: nothing to migrate (pass --store postgres://… for a database).\n");
      else if (done.from === done.to) process.stdout.write(`${done.store}: schema version ${done.to}, already up to date.\n`);
      else process.stdout.write(`${done.store}: schema version ${done.from} → ${done.to}.\n`);
    });
}

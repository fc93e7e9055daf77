import net from "node:net";
import pg from "pg";
import { serialize } from "pg-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgServer, startPostgres } from "./helpers/postgres.js";

/** Reads a raw connection's replies until one holds a message of `type` (ReadyForQuery is 'Z'). */
function until(socket: net.Socket, type: string): Promise<string> {
  return new Promise((resolve) => {
    let seen = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      seen = Buffer.concat([seen, data]);
      for (let at = 0; at + 5 <= seen.length; at += 1 + seen.readInt32BE(at + 1)) {
        if (String.fromCharCode(seen[at] as number) === type) {
          socket.off("data", onData);
          resolve(seen.toString("latin1"));
          return;
        }
      }
    };
    socket.on("data", onData);
  });
}

// The tests' PostgreSQL is PGlite behind pglite-socket: one session shared by every connection.
// If the harness let connections' protocol messages interleave, concurrent tests would fail in
// ways no real server does (as CI once did), so the harness itself is held to a real server's rule.
describe("the tests' PGlite server", () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps one connection's query whole while another connection queries between its messages", async () => {
    const url = new URL(server.url);
    const raw = net.connect(Number(url.port), url.hostname);
    const ready = until(raw, "Z");
    raw.write(serialize.startup({ user: "postgres", database: "postgres" }));
    await ready;
    const other = new pg.Client({ connectionString: server.url });
    await other.connect();
    // The first connection parses a three-parameter statement and stops before binding it…
    raw.write(serialize.parse({ text: "SELECT $1::int + $2::int + $3::int AS total", types: [] }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // …while a second connection sends a two-parameter query of its own…
    const second = other.query("SELECT $1::int * $2::int AS product", [6, 7]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // …then the first binds its three values and runs.
    const reply = until(raw, "Z");
    raw.write(Buffer.concat([serialize.bind({ values: ["1", "2", "3"] }), serialize.execute(), serialize.sync()]));
    const text = await reply;
    expect(text).not.toMatch(/bind message supplies/);
    expect(text).toContain("6"); // the row 1 + 2 + 3
    expect((await second).rows).toEqual([{ product: 42 }]);
    raw.end();
    await other.end();
  });
});

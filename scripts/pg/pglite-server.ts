/**
 * A real PostgreSQL (PGlite, with pgvector) served on the wire protocol on 127.0.0.1, in its own
 * process so the `pg` client under test talks to it over TCP like to any server. Prints
 * `READY host:port` once listening; `argv[2]` is a data folder (in memory when empty).
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

// argv[3] "no-vector": a server without pgvector, as a database where nobody enabled it.
const db = await PGlite.create(process.argv[2] || undefined, process.argv[3] === "no-vector" ? {} : { extensions: { vector } });
const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 64 });
await server.start();
process.stdout.write(`READY ${server.getServerConn()}\n`);
const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop());

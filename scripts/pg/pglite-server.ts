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
const server = new PGLiteSocketServer({ db: keepProtocolGroups(db), host: "127.0.0.1", port: 0, maxConnections: 64 });
await server.start();
process.stdout.write(`READY ${server.getServerConn()}\n`);
const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop());

/**
 * PGlite is one session shared by every socket, and pglite-socket interleaves the connections'
 * messages one by one unless a transaction is open. An extended-protocol query is several messages
 * (Parse, Bind, Describe, Execute, then Sync), so two pooled connections querying at once could
 * bind one's parameters to the other's unnamed statement ("bind message supplies 3 parameters, but
 * prepared statement "" requires 2") — a failure no real server has, since each connection there is
 * its own session. The socket server keeps serving the same connection while the database reports
 * a transaction; reporting one from a Parse to its Sync too makes each query one unit.
 */
function keepProtocolGroups(pglite: PGlite): PGlite {
  const opensGroup = new Set(["P", "B", "D", "E", "C", "H"].map((c) => c.charCodeAt(0)));
  let groupOpen = false;
  return new Proxy(pglite, {
    get(target, key) {
      if (key === "isInTransaction") return () => groupOpen || target.isInTransaction();
      if (key === "execProtocolRawStream") {
        return (message: Uint8Array, options: Parameters<PGlite["execProtocolRawStream"]>[1]) => {
          groupOpen = opensGroup.has(message[0] ?? 0);
          return target.execProtocolRawStream(message, options);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

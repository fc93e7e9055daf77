export { type PgServer, startPostgres } from "../../scripts/pg/start.js";

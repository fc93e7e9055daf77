// Run from TypeScript sources (tests, `node --import tsx`): the loader thread registers tsx first.
const { register } = await import("tsx/esm/api");
register();
const worker = await import("./load-worker.ts");
export default worker.default;

import type { Manifest, Store } from "../store/types.js";
import type { TunedSettings, TuneReport, TuneStatus } from "../types.js";
import { type AdapterJson, QueryAdapter } from "./adapter.js";

/** What `tune` stores per version (meta `tune-v<N>`): enough to apply it and to say what it was. */
export interface TuneRecord {
  version: number;
  createdAt: string;
  /** The embedder the adapter was trained for; another one's vectors make it meaningless. */
  embedderId: string;
  applied: boolean;
  reason: string;
  settings: TunedSettings;
  adapter?: AdapterJson;
  pairs: TuneReport["pairs"];
  validation: TuneReport["validation"];
}

/** A tuning ready for search: settings to use and the query map, if one was kept. */
export interface ActiveTune {
  key: string;
  settings: TunedSettings;
  adapter?: QueryAdapter;
}

const HISTORY = "tune-history";

type History = TuneStatus["history"];

async function history(store: Store): Promise<History> {
  return ((await store.readMeta(HISTORY)) as History | undefined) ?? [];
}

/** Stores a tuning as the next version, and makes it active when it was applied. Call under the write lock. */
export async function saveTune(store: Store, record: Omit<TuneRecord, "version">): Promise<TuneRecord> {
  const past = await history(store);
  const version = Math.max(0, ...past.map((h) => h.version)) + 1;
  const full: TuneRecord = { ...record, version };
  const key = `tune-v${version}`;
  await store.writeMeta(key, full);
  await store.writeMeta(HISTORY, [...past, { version, createdAt: full.createdAt, applied: full.applied, reason: full.reason }]);
  if (full.applied) await setActive(store, { version, key });
  return full;
}

/** Points the manifest at a tuning, or at none (`reset`). Call under the write lock. */
export async function setActive(store: Store, tune: Manifest["tune"] | undefined): Promise<Manifest | undefined> {
  const manifest = await store.readManifest();
  if (!manifest) return undefined;
  const { tune: _old, ...rest } = manifest;
  const next: Manifest = { ...rest, ...(tune ? { tune } : {}), updatedAt: new Date().toISOString() };
  await store.writeManifest(next);
  return next;
}

/** The tuning the manifest names, if it was made for this embedder. */
export async function loadActive(store: Store, manifest: Manifest | undefined, embedderId: string): Promise<ActiveTune | undefined> {
  if (!manifest?.tune) return undefined;
  const record = (await store.readMeta(manifest.tune.key)) as TuneRecord | undefined;
  if (!record || record.embedderId !== embedderId) return undefined;
  return {
    key: manifest.tune.key,
    settings: record.settings,
    ...(record.adapter ? { adapter: QueryAdapter.fromJSON(record.adapter) } : {}),
  };
}

export async function tuneStatus(store: Store, embedderId: string): Promise<TuneStatus> {
  const manifest = await store.readManifest();
  const past = await history(store);
  const record = manifest?.tune ? ((await store.readMeta(manifest.tune.key)) as TuneRecord | undefined) : undefined;
  if (!record) return { active: false, stale: false, adapter: false, history: past };
  return {
    active: record.embedderId === embedderId,
    version: record.version,
    createdAt: record.createdAt,
    stale: record.embedderId !== embedderId,
    settings: record.settings,
    adapter: record.adapter !== undefined,
    pairs: record.pairs,
    validation: record.validation,
    history: past,
  };
}

import { useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import type { Settings } from "./storage.js";

interface Models {
  answerer: string;
  embedder: string;
  reranker: string | null;
}

/** What answers, embeds and reranks on this server, shown in the header so results can be read right. */
export function ModelsLine({ models }: { models: Models | undefined }) {
  if (!models) return null;
  return (
    <p class="models" data-testid="models">
      <span>Answers: {models.answerer}</span> · <span>Embedder: {models.embedder}</span> ·{" "}
      <span>Reranker: {models.reranker ?? "none"}</span>
    </p>
  );
}

export function useModels(apiKey: string): Models | undefined {
  const [models, setModels] = useState<Models | undefined>();
  useEffect(() => {
    api
      .stats(apiKey)
      .then((s) => setModels({ answerer: s.answerer, embedder: s.embedder.id, reranker: s.reranker }))
      .catch(() => setModels(undefined));
  }, [apiKey]);
  return models;
}

export function SettingsPanel({
  settings,
  reranker,
  onChange,
}: {
  settings: Settings;
  reranker: string | null | undefined;
  onChange: (s: Settings) => void;
}) {
  return (
    <details class="settings">
      <summary>Settings</summary>
      <div class="settings-body">
        <label>
          API key
          <input
            type="password"
            value={settings.apiKey}
            autocomplete="off"
            onInput={(e) => onChange({ ...settings, apiKey: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Passages
          <input
            type="number"
            min={1}
            max={20}
            value={settings.k}
            onInput={(e) => onChange({ ...settings, k: Number((e.target as HTMLInputElement).value) || 5 })}
          />
        </label>
        <label>
          Retrieval
          <select
            value={settings.mode}
            onChange={(e) => onChange({ ...settings, mode: (e.target as HTMLSelectElement).value as Settings["mode"] })}
          >
            <option value="hybrid">hybrid</option>
            <option value="lexical">lexical (BM25)</option>
            <option value="dense">dense (embeddings)</option>
          </select>
        </label>
        {reranker && (
          <label>
            <input
              type="checkbox"
              checked={settings.rerank !== false}
              onChange={(e) => onChange({ ...settings, rerank: (e.target as HTMLInputElement).checked })}
            />
            Rerank ({reranker})
          </label>
        )}
      </div>
    </details>
  );
}

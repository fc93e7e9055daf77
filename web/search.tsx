import { useState } from "preact/hooks";
import { api, type HitJson } from "./api.js";
import { markdownHtml } from "./markdown.js";
import type { OpenSpan } from "./source.js";
import type { Settings } from "./storage.js";

const fmt = (v?: number) => (v === undefined ? "–" : v.toFixed(3));

export function SearchView({ settings, onOpen }: { settings: Settings; onOpen: (s: OpenSpan) => void }) {
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<HitJson[]>([]);
  const [error, setError] = useState("");
  const run = (event: Event) => {
    event.preventDefault();
    if (!query.trim()) return;
    api
      .search(settings.apiKey, query, Math.max(settings.k, 10), settings.mode, settings.rerank)
      .then((r) => {
        setHits(r.hits);
        setError("");
      })
      .catch((e: Error) => setError(e.message));
  };
  return (
    <section class="search">
      <form class="ask" onSubmit={run}>
        <label class="visually-hidden" for="search-query">
          Search passages
        </label>
        <input
          id="search-query"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          placeholder="Search passages…"
        />
        <button type="submit">Search</button>
      </form>
      {error && <p class="error">{error}</p>}
      <ol class="hits">
        {hits.map((h) => (
          <li key={h.chunkId}>
            <button type="button" class="link" onClick={() => onOpen({ documentId: h.documentId, start: h.start, end: h.end })}>
              {typeof h.metadata.filename === "string" ? h.metadata.filename : h.source.split("/").pop()}
            </button>
            <span class="scores">
              score {fmt(h.score)} · lexical {fmt(h.scores.lexical)} · dense {fmt(h.scores.dense)}
              {h.scores.rerank !== undefined ? ` · rerank ${fmt(h.scores.rerank)}` : ""}
            </span>
            {/* markdownHtml escapes raw HTML and sanitises with DOMPurify */}
            <div
              class="markdown hit-text"
              dangerouslySetInnerHTML={{ __html: markdownHtml(h.text.length > 600 ? `${h.text.slice(0, 599)}…` : h.text) }}
            />
          </li>
        ))}
      </ol>
    </section>
  );
}

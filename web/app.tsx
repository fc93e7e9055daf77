import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  type AnswerJson,
  api,
  type ChatMessage,
  type Citation,
  type DocumentSummary,
  type HitJson,
  streamChat,
  type UploadResult,
  uploadFile,
} from "./api.js";

// Everything from documents and models is rendered as text nodes (never as HTML), so a document
// with <script> or a javascript: link shows as characters and runs nothing.

interface Settings {
  apiKey: string;
  k: number;
  mode: "hybrid" | "lexical" | "dense";
  /** Rerank with the server's reranker, when it has one. */
  rerank?: boolean;
}

interface Turn {
  question: string;
  answer: string;
  result?: AnswerJson;
  error?: string;
  /** Ratings given: "answer" or a citation's marker → +1 / -1. */
  rated?: Record<string, 1 | -1>;
}

const load = <T,>(key: string, fallback: T): T => {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
};
const save = (key: string, value: unknown) => localStorage.setItem(key, JSON.stringify(value));

interface OpenSpan {
  documentId: string;
  start: number;
  end: number;
  marker?: number;
}

function SourcePanel({ span, settings, onClose }: { span: OpenSpan; settings: Settings; onClose: () => void }) {
  const [doc, setDoc] = useState<(DocumentSummary & { text: string }) | undefined>();
  const [error, setError] = useState("");
  const mark = useRef<HTMLElement>(null);
  useEffect(() => {
    setDoc(undefined);
    api
      .document(settings.apiKey, span.documentId)
      .then((r) => setDoc(r.document))
      .catch((e: Error) => setError(e.message));
  }, [span.documentId]);
  useEffect(() => mark.current?.scrollIntoView({ block: "center" }), [doc, span.start]);
  return (
    <aside class="source" aria-label="Cited source">
      <header>
        <strong>{span.marker ? `[${span.marker}] ` : ""}</strong>
        <span class="path">{doc ? doc.filename : span.documentId}</span>
        <button type="button" class="close" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      {error && <p class="error">{error}</p>}
      {doc && (
        <pre class="doc-text">
          {doc.text.slice(0, span.start)}
          <mark ref={mark} data-testid="highlight">
            {doc.text.slice(span.start, span.end)}
          </mark>
          {doc.text.slice(span.end)}
        </pre>
      )}
    </aside>
  );
}

/** Thumbs up/down, stored through POST /api/feedback for `ragkit tune --feedback`. */
function Rate({ label, value, onRate }: { label: string; value: 1 | -1 | undefined; onRate: (rating: 1 | -1) => void }) {
  return (
    <span class="rate">
      <button type="button" class="link" aria-label={`${label}: helpful`} aria-pressed={value === 1} onClick={() => onRate(1)}>
        👍
      </button>
      <button type="button" class="link" aria-label={`${label}: not helpful`} aria-pressed={value === -1} onClick={() => onRate(-1)}>
        👎
      </button>
    </span>
  );
}

function AnswerText({
  turn,
  onCite,
  onRate,
}: {
  turn: Turn;
  onCite: (c: Citation) => void;
  onRate: (target: string, rating: 1 | -1) => void;
}) {
  const citations = new Map((turn.result?.citations ?? []).map((c) => [c.marker, c]));
  // Uploaded files are stored under generated names; show the name the user gave them.
  const names = new Map(
    (turn.result?.hits ?? []).map((h) => [
      h.documentId,
      typeof h.metadata.filename === "string" ? h.metadata.filename : h.source.split("/").pop(),
    ]),
  );
  const parts = turn.answer.split(/(\[\d+\])/g);
  return (
    <div class="answer">
      {parts.map((part, i) => {
        const n = /^\[(\d+)\]$/.exec(part);
        const citation = n ? citations.get(Number(n[1])) : undefined;
        return citation ? (
          <button type="button" key={i} class="cite" title={citation.source} onClick={() => onCite(citation)}>
            {citation.marker}
          </button>
        ) : (
          <span key={i}>{part}</span>
        );
      })}
      {turn.result && turn.result.citations.length > 0 && (
        <ol class="sources">
          {turn.result.citations.map((c) => (
            <li key={c.marker}>
              <button type="button" class="link" onClick={() => onCite(c)}>
                [{c.marker}] {names.get(c.documentId) ?? c.source.split("/").pop()}
              </button>
              <q>{c.quote.length > 160 ? `${c.quote.slice(0, 159)}…` : c.quote}</q>
              <Rate label={`Source ${c.marker}`} value={turn.rated?.[String(c.marker)]} onRate={(r) => onRate(String(c.marker), r)} />
            </li>
          ))}
        </ol>
      )}
      {turn.result && <Rate label="This answer" value={turn.rated?.answer} onRate={(r) => onRate("answer", r)} />}
      {turn.error && <p class="error">{turn.error}</p>}
    </div>
  );
}

function ChatView({ settings, onOpen }: { settings: Settings; onOpen: (s: OpenSpan) => void }) {
  const [turns, setTurns] = useState<Turn[]>(() => load("ragkit.chat", []));
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    save("ragkit.chat", turns);
    end.current?.scrollIntoView({ block: "end" });
  }, [turns]);

  const ask = async (event: Event) => {
    event.preventDefault();
    const question = input.trim();
    if (!question || busy) return;
    setInput("");
    setBusy(true);
    const history: ChatMessage[] = turns.flatMap((t) => [
      { role: "user" as const, content: t.question },
      { role: "assistant" as const, content: t.answer },
    ]);
    const index = turns.length;
    const update = (patch: Partial<Turn>) => setTurns((all) => all.map((t, i) => (i === index ? { ...t, ...patch } : t)));
    setTurns((all) => [...all, { question, answer: "" }]);
    let text = "";
    try {
      const result = await streamChat(settings.apiKey, [...history, { role: "user", content: question }], settings, (token) => {
        text += token;
        update({ answer: text });
      });
      update({ answer: result.answer, result });
    } catch (error) {
      update({ error: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  // A rated answer vouches for (or against) each document it cites; a rated citation for its own.
  const rate = (index: number, target: string, rating: 1 | -1) => {
    const turn = turns[index];
    if (!turn?.result) return;
    const cited =
      target === "answer" ? turn.result.citations.slice(0, 3) : turn.result.citations.filter((c) => String(c.marker) === target);
    const base = { query: turn.question, rating, answer: turn.answer.slice(0, 20_000) };
    const posts = cited.length > 0 ? cited.map((c) => ({ ...base, documentId: c.documentId, chunkId: c.chunkId })) : [base];
    Promise.all(posts.map((body) => api.feedback(settings.apiKey, body)))
      .then(() => setTurns((all) => all.map((t, i) => (i === index ? { ...t, rated: { ...t.rated, [target]: rating } } : t))))
      .catch((error: Error) => setTurns((all) => all.map((t, i) => (i === index ? { ...t, error: error.message } : t))));
  };

  return (
    <section class="chat">
      <div class="turns">
        {turns.length === 0 && (
          <p class="hint">Ask a question about your documents. Answers cite their sources; click a number to see the passage.</p>
        )}
        {turns.map((turn, i) => (
          <div class="turn" key={i}>
            <div class="question">{turn.question}</div>
            <AnswerText
              turn={turn}
              onCite={(c) => onOpen({ documentId: c.documentId, start: c.start, end: c.end, marker: c.marker })}
              onRate={(target, rating) => rate(i, target, rating)}
            />
          </div>
        ))}
        <div ref={end} />
      </div>
      <form class="ask" onSubmit={ask}>
        <input
          name="question"
          value={input}
          onInput={(e) => setInput((e.target as HTMLInputElement).value)}
          placeholder="Ask a question…"
          autocomplete="off"
          disabled={busy}
        />
        <button type="submit" disabled={busy}>
          {busy ? "…" : "Ask"}
        </button>
        <button type="button" class="secondary" onClick={() => setTurns([])} disabled={busy}>
          New chat
        </button>
      </form>
    </section>
  );
}

interface UploadRow {
  name: string;
  progress: number;
  result?: UploadResult;
}

function DocumentsView({ settings, onOpen }: { settings: Settings; onOpen: (s: OpenSpan) => void }) {
  const [documents, setDocuments] = useState<DocumentSummary[]>([]);
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const [error, setError] = useState("");
  const [dragging, setDragging] = useState(false);
  const refresh = () =>
    api
      .documents(settings.apiKey)
      .then((r) => {
        setDocuments(r.documents);
        setError("");
      })
      .catch((e: Error) => setError(e.message));
  useEffect(() => {
    void refresh();
  }, [settings.apiKey]);

  const upload = async (files: File[]) => {
    const start = uploads.length;
    setUploads((all) => [...all, ...files.map((f) => ({ name: f.name, progress: 0 }))]);
    await Promise.all(
      files.map(async (file, i) => {
        const set = (patch: Partial<UploadRow>) => setUploads((all) => all.map((u, j) => (j === start + i ? { ...u, ...patch } : u)));
        const result = await uploadFile(settings.apiKey, file, (progress) => set({ progress }));
        set({ progress: 1, result });
      }),
    );
    await refresh();
  };

  return (
    <section class="documents">
      <label
        class={`drop ${dragging ? "over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void upload([...(e.dataTransfer?.files ?? [])]);
        }}
      >
        Drop files here or <span class="link">choose files</span>
        <input
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => void upload([...((e.target as HTMLInputElement).files ?? [])])}
        />
        <small>Markdown, text, HTML, PDF, Word, JSON, CSV</small>
      </label>
      {uploads.length > 0 && (
        <ul class="uploads">
          {uploads.map((u, i) => (
            <li key={i} class={u.result?.status ?? "pending"}>
              <span>{u.name}</span>
              <progress value={u.progress} max={1} />
              <span class="status">
                {u.result
                  ? u.result.status === "indexed"
                    ? "indexed"
                    : `${u.result.error?.code}: ${u.result.error?.message}`
                  : "uploading"}
              </span>
            </li>
          ))}
        </ul>
      )}
      {error && <p class="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Document</th>
            <th>Size</th>
            <th>Chunks</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {documents.map((d) => (
            <tr key={d.id}>
              <td>
                <button type="button" class="link" onClick={() => onOpen({ documentId: d.id, start: 0, end: 0 })}>
                  {d.title ?? d.filename}
                </button>
                {d.title && <div class="path">{d.filename}</div>}
              </td>
              <td>{d.chars.toLocaleString()} chars</td>
              <td>{d.chunks}</td>
              <td>{new Date(d.updatedAt).toLocaleString()}</td>
              <td>
                <button type="button" class="danger" onClick={() => void api.remove(settings.apiKey, d.id).then(refresh)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {documents.length === 0 && !error && <p class="hint">No documents yet.</p>}
    </section>
  );
}

function SearchView({ settings, onOpen }: { settings: Settings; onOpen: (s: OpenSpan) => void }) {
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
  const fmt = (v?: number) => (v === undefined ? "–" : v.toFixed(3));
  return (
    <section class="search">
      <form class="ask" onSubmit={run}>
        <input value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} placeholder="Search passages…" />
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
              fused {fmt(h.scores.fused)} · bm25 {fmt(h.scores.lexical)} · dense {fmt(h.scores.dense)}
              {h.scores.rerank !== undefined ? ` · rerank ${fmt(h.scores.rerank)}` : ""}
            </span>
            <p>{h.text.length > 400 ? `${h.text.slice(0, 399)}…` : h.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}

function SettingsPanel({ settings, onChange }: { settings: Settings; onChange: (s: Settings) => void }) {
  const [models, setModels] = useState<{ embedder: string; reranker: string | null } | undefined>();
  useEffect(() => {
    api
      .stats(settings.apiKey)
      .then((s) => setModels({ embedder: s.embedder.id, reranker: s.reranker }))
      .catch(() => setModels(undefined));
  }, [settings.apiKey]);
  return (
    <details class="settings">
      <summary>Settings</summary>
      <div class="settings-body">
        <label>
          API key
          <input
            type="password"
            value={settings.apiKey}
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
        {models?.reranker && (
          <label>
            <input
              type="checkbox"
              checked={settings.rerank !== false}
              onChange={(e) => onChange({ ...settings, rerank: (e.target as HTMLInputElement).checked })}
            />
            Rerank ({models.reranker})
          </label>
        )}
        {models && <p class="models">Embedder: {models.embedder}</p>}
      </div>
    </details>
  );
}

function App() {
  const [tab, setTab] = useState<"chat" | "documents" | "search">("chat");
  const [settings, setSettings] = useState<Settings>(() => load("ragkit.settings", { apiKey: "", k: 5, mode: "hybrid" }));
  const [open, setOpen] = useState<OpenSpan | undefined>();
  useEffect(() => save("ragkit.settings", settings), [settings]);
  return (
    <div class={`layout ${open ? "with-source" : ""}`}>
      <header class="top">
        <h1>ragkit</h1>
        <nav>
          {(["chat", "documents", "search"] as const).map((t) => (
            <button type="button" key={t} class={tab === t ? "active" : ""} onClick={() => setTab(t)}>
              {t[0]?.toUpperCase() + t.slice(1)}
            </button>
          ))}
        </nav>
        <SettingsPanel settings={settings} onChange={setSettings} />
      </header>
      <main>
        {tab === "chat" && <ChatView settings={settings} onOpen={setOpen} />}
        {tab === "documents" && <DocumentsView settings={settings} onOpen={setOpen} />}
        {tab === "search" && <SearchView settings={settings} onOpen={setOpen} />}
      </main>
      {open && <SourcePanel span={open} settings={settings} onClose={() => setOpen(undefined)} />}
    </div>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);

import { useEffect, useState } from "preact/hooks";
import { api, type DocumentSummary, type UploadResult, uploadFile } from "./api.js";
import type { OpenSpan } from "./source.js";
import type { Settings } from "./storage.js";

interface UploadRow {
  name: string;
  progress: number;
  result?: UploadResult;
}

/** Where a document came from, for display: its folder, or "uploaded" (the stored path is internal). */
export function origin(d: DocumentSummary): string {
  if (typeof d.metadata?.filename === "string") return "uploaded";
  const cut = d.source.lastIndexOf("/");
  return cut > 0 ? d.source.slice(0, cut) : d.source;
}

function Uploads({ settings, onDone }: { settings: Settings; onDone: () => void }) {
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const [dragging, setDragging] = useState(false);
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
    onDone();
  };
  return (
    <>
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
          class="visually-hidden"
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
              <progress value={u.progress} max={1} aria-label={`Upload of ${u.name}`} />
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
    </>
  );
}

/** Documents: upload, find by name or folder, open, delete one or many (after a confirmation). */
export function DocumentsView({ settings, onOpen }: { settings: Settings; onOpen: (s: OpenSpan) => void }) {
  const [documents, setDocuments] = useState<DocumentSummary[]>([]);
  const [error, setError] = useState("");
  const [filter, setFilter] = useState("");
  const [folder, setFolder] = useState("");
  const [selected, setSelected] = useState<Set<string>>(new Set());
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

  const folders = [...new Set(documents.map(origin))].sort();
  const needle = filter.trim().toLowerCase();
  const shown = documents.filter(
    (d) =>
      (!folder || origin(d) === folder) && (!needle || [d.filename, d.title ?? "", d.source].some((s) => s.toLowerCase().includes(needle))),
  );
  const toggle = (id: string) =>
    setSelected((all) => {
      const next = new Set(all);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const removeSelected = async () => {
    const ids = shown.filter((d) => selected.has(d.id)).map((d) => d.id);
    if (ids.length === 0 || !window.confirm(`Delete ${ids.length} document${ids.length === 1 ? "" : "s"} from the index?`)) return;
    try {
      for (const id of ids) await api.remove(settings.apiKey, id);
    } catch (e) {
      setError((e as Error).message);
    }
    setSelected(new Set());
    await refresh();
  };
  const allShown = shown.length > 0 && shown.every((d) => selected.has(d.id));

  return (
    <section class="documents">
      <Uploads settings={settings} onDone={() => void refresh()} />
      {error && <p class="error">{error}</p>}
      <div class="doc-tools">
        <label>
          Find
          <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} placeholder="name or path" />
        </label>
        <label>
          Folder
          <select value={folder} onChange={(e) => setFolder((e.target as HTMLSelectElement).value)}>
            <option value="">all ({documents.length})</option>
            {folders.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="danger" disabled={!shown.some((d) => selected.has(d.id))} onClick={() => void removeSelected()}>
          Delete selected
        </button>
      </div>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select all shown documents"
                  checked={allShown}
                  onChange={() => setSelected(allShown ? new Set() : new Set(shown.map((d) => d.id)))}
                />
              </th>
              <th>Document</th>
              <th>Size</th>
              <th>Chunks</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.id}>
                <td>
                  <input type="checkbox" aria-label={`Select ${d.filename}`} checked={selected.has(d.id)} onChange={() => toggle(d.id)} />
                </td>
                <td>
                  <button type="button" class="link" onClick={() => onOpen({ documentId: d.id, start: 0, end: 0 })}>
                    {d.filename}
                  </button>
                  <div class="path">
                    {d.title && d.title !== d.filename ? `${d.title} · ` : ""}
                    {origin(d)}
                  </div>
                </td>
                <td>{d.chars.toLocaleString()} chars</td>
                <td>{d.chunks}</td>
                <td>{new Date(d.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {documents.length === 0 && !error && <p class="hint">No documents yet.</p>}
    </section>
  );
}

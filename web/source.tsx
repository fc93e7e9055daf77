import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type DocumentSummary } from "./api.js";
import { documentHtml } from "./markdown.js";
import type { Settings } from "./storage.js";

export interface OpenSpan {
  documentId: string;
  start: number;
  end: number;
  marker?: number;
}

type FullDocument = DocumentSummary & { text: string };

/** The cited document, rendered (Markdown documents) or as plain text, with the cited span marked. */
export function SourcePanel({ span, settings, onClose }: { span: OpenSpan; settings: Settings; onClose: () => void }) {
  const [doc, setDoc] = useState<FullDocument | undefined>();
  const [error, setError] = useState("");
  const [raw, setRaw] = useState(false);
  const body = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    setDoc(undefined);
    api
      .document(settings.apiKey, span.documentId)
      .then((r) => setDoc(r.document))
      .catch((e: Error) => setError(e.message));
  }, [span.documentId]);
  useEffect(() => close.current?.focus(), [span.documentId, span.start]);
  const markdown = doc?.metadata?.structure === "markdown" && !raw;
  const html = useMemo(() => (doc ? documentHtml(doc.text, span.start, span.end, markdown) : ""), [doc, span.start, span.end, markdown]);
  useEffect(() => body.current?.querySelector("mark")?.scrollIntoView({ block: "center" }), [html]);
  return (
    <aside class="source" aria-label="Cited source" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <header>
        <strong>{span.marker ? `[${span.marker}] ` : ""}</strong>
        <span class="path">{doc ? doc.filename : span.documentId}</span>
        {doc?.metadata?.structure === "markdown" && (
          <button type="button" class="link" aria-pressed={raw} onClick={() => setRaw(!raw)}>
            {raw ? "Rendered" : "Raw text"}
          </button>
        )}
        <button type="button" class="close" ref={close} onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      {error && <p class="error">{error}</p>}
      {/* documentHtml escapes raw HTML and sanitises with DOMPurify */}
      {doc && <div class={`doc-text ${markdown ? "markdown" : ""}`} ref={body} dangerouslySetInnerHTML={{ __html: html }} />}
    </aside>
  );
}

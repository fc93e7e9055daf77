import { useMemo, useState } from "preact/hooks";
import type { Citation } from "./api.js";
import { answerHtml } from "./markdown.js";
import type { Turn } from "./storage.js";

/** A thumb drawn inline: emoji fonts are missing on many servers' browsers and kiosks. */
function Thumb({ down }: { down?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" style={down ? { transform: "rotate(180deg)" } : undefined}>
      <path
        fill="currentColor"
        d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3a1.5 1.5 0 0 0-.4-1L13.2 1 7.6 6.6A2 2 0 0 0 7 8v11a2 2 0 0 0 2 2h9a2 2 0 0 0 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"
      />
    </svg>
  );
}

/** Thumbs up/down, stored through POST /api/feedback for `ragkit tune --feedback`. */
export function Rate({ label, value, onRate }: { label: string; value: 1 | -1 | undefined; onRate: (rating: 1 | -1) => void }) {
  return (
    <span class="rate">
      <button type="button" class="link thumb" aria-label={`${label}: helpful`} aria-pressed={value === 1} onClick={() => onRate(1)}>
        <Thumb />
      </button>
      <button type="button" class="link thumb" aria-label={`${label}: not helpful`} aria-pressed={value === -1} onClick={() => onRate(-1)}>
        <Thumb down />
      </button>
    </span>
  );
}

/** A citation's quote in one line: code fences and runs of whitespace folded, long ones cut. */
function shortQuote(quote: string): string {
  const line = quote
    .replace(/^[ \t]*(```|~~~)\S*[ \t]*$/gm, "")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

export interface AnswerActions {
  onCite: (c: Citation) => void;
  onRate: (target: string, rating: 1 | -1) => void;
  onRegenerate?: () => void;
}

/** One answer: Markdown with clickable citation numbers, its sources, and what can be done with it. */
export function AnswerView({ turn, actions, busy }: { turn: Turn; actions: AnswerActions; busy: boolean }) {
  const [copied, setCopied] = useState(false);
  const citations = new Map((turn.result?.citations ?? []).map((c) => [c.marker, c]));
  // Uploaded files are stored under generated names; show the name the user gave them.
  const names = new Map(
    (turn.result?.hits ?? []).map((h) => [
      h.documentId,
      typeof h.metadata.filename === "string" ? h.metadata.filename : h.source.split("/").pop(),
    ]),
  );
  const html = useMemo(() => answerHtml(turn.answer), [turn.answer]);
  const onClick = (event: MouseEvent) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button.cite");
    const citation = button ? citations.get(Number(button.dataset.marker)) : undefined;
    if (citation) actions.onCite(citation);
  };
  const copy = () =>
    navigator.clipboard
      ?.writeText(turn.answer)
      .then(() => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      })
      .catch(() => setCopied(false));
  return (
    <div class="answer">
      {/* answerHtml escapes raw HTML and sanitises with DOMPurify. The citations inside are buttons;
          this only delegates their clicks. */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: see above */}
      <div class="markdown" onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />
      {turn.stopped && <p class="hint">Stopped.</p>}
      {turn.result && turn.result.citations.length > 0 && (
        <ol class="sources">
          {turn.result.citations.map((c) => (
            <li key={c.marker}>
              <button type="button" class="link" onClick={() => actions.onCite(c)}>
                [{c.marker}] {names.get(c.documentId) ?? c.source.split("/").pop()}
              </button>
              <q>{shortQuote(c.quote)}</q>
              <Rate
                label={`Source ${c.marker}`}
                value={turn.rated?.[String(c.marker)]}
                onRate={(r) => actions.onRate(String(c.marker), r)}
              />
            </li>
          ))}
        </ol>
      )}
      {turn.error && <p class="error">{turn.error}</p>}
      {(turn.result || turn.stopped || turn.error) && (
        <div class="answer-actions">
          {turn.result && <Rate label="This answer" value={turn.rated?.answer} onRate={(r) => actions.onRate("answer", r)} />}
          <button type="button" class="link" onClick={copy} disabled={!turn.answer}>
            {copied ? "Copied" : "Copy"}
          </button>
          {actions.onRegenerate && (
            <button type="button" class="link" onClick={actions.onRegenerate} disabled={busy}>
              Regenerate
            </button>
          )}
        </div>
      )}
    </div>
  );
}

import { useEffect, useMemo, useState } from "preact/hooks";
import type { ReviewAgreement } from "../src/types.js";
import { api, type ReviewNext } from "./api.js";
import { markdownHtml } from "./markdown.js";
import { load, type Settings, save } from "./storage.js";

/** One rating form: how correct (1–5), grounded in its citations or not, citations right or not, a comment. */
function RatingForm({
  onSave,
}: {
  onSave: (r: { correctness: number; grounded: boolean; citationsCorrect: boolean; comment: string }) => void;
}) {
  const [correctness, setCorrectness] = useState(3);
  const [grounded, setGrounded] = useState(false);
  const [citationsCorrect, setCitationsCorrect] = useState(false);
  const [comment, setComment] = useState("");
  return (
    <form
      class="rating"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ correctness, grounded, citationsCorrect, comment });
      }}
    >
      <label>
        Correctness
        <select
          id="correctness"
          value={String(correctness)}
          onChange={(e) => setCorrectness(Number((e.target as HTMLSelectElement).value))}
        >
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={String(n)}>
              {n} {n === 1 ? "(wrong)" : n === 5 ? "(fully correct)" : ""}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input id="grounded" type="checkbox" checked={grounded} onChange={(e) => setGrounded((e.target as HTMLInputElement).checked)} />
        Grounded in the cited passages
      </label>
      <label>
        <input
          id="citations-correct"
          type="checkbox"
          checked={citationsCorrect}
          onChange={(e) => setCitationsCorrect((e.target as HTMLInputElement).checked)}
        />
        Citations point to the right passages
      </label>
      <label>
        Comment
        <textarea id="comment" rows={3} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
      </label>
      <button type="submit">Save and next</button>
    </form>
  );
}

const kappa = (k: number | null) => (k === null ? "–" : k.toFixed(2));

/** How far the reviewers agree (Cohen's kappa per pair, over the items both rated). */
function Agreement({ ratings, agreement }: { ratings: number; agreement: ReviewAgreement[] }) {
  return (
    <div class="agreement" data-testid="agreement">
      <p class="hint">
        {ratings} rating{ratings === 1 ? "" : "s"} so far
      </p>
      {agreement.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Reviewers</th>
              <th>Items</th>
              <th>κ correctness</th>
              <th>κ grounded</th>
              <th>κ citations</th>
            </tr>
          </thead>
          <tbody>
            {agreement.map((a) => (
              <tr key={a.reviewers.join("|")}>
                <td>{a.reviewers.join(" · ")}</td>
                <td>{a.items}</td>
                <td>{kappa(a.correctness)}</td>
                <td>{kappa(a.grounded)}</td>
                <td>{kappa(a.citationsCorrect)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Human review of an `eval answers` run: the next answer this reviewer has not rated, one at a time. */
export function ReviewView({ settings }: { settings: Settings }) {
  const [runs, setRuns] = useState<string[]>([]);
  const [run, setRun] = useState(() => load("ragkit.review.run", ""));
  const [reviewer, setReviewer] = useState(() => load("ragkit.review.reviewer", ""));
  // What is typed is kept on every keystroke (a re-render must not wipe it); the name is taken on leaving the field.
  const [draft, setDraft] = useState(reviewer);
  const [next, setNext] = useState<ReviewNext | undefined>();
  const [stats, setStats] = useState<{ ratings: number; agreement: ReviewAgreement[] } | undefined>();
  const [error, setError] = useState("");
  useEffect(() => {
    api
      .reviewRuns(settings.apiKey)
      .then((r) => {
        setRuns(r.runs);
        if (!r.runs.includes(run)) setRun(r.runs[0] ?? "");
      })
      .catch((e: Error) => setError(e.message));
  }, [settings.apiKey]);
  const refresh = () => {
    if (run) api.reviewStats(settings.apiKey, run).then(setStats, () => setStats(undefined));
    if (!run || !reviewer.trim()) return setNext(undefined);
    api
      .reviewNext(settings.apiKey, run, reviewer.trim())
      .then((n) => {
        setNext(n);
        setError("");
      })
      .catch((e: Error) => setError(e.message));
  };
  useEffect(() => {
    save("ragkit.review.run", run);
    save("ragkit.review.reviewer", reviewer);
    refresh();
  }, [run, reviewer]);
  const answer = useMemo(() => (next?.item ? markdownHtml(next.item.answer) : ""), [next?.item?.id]);
  const rate = (r: { correctness: number; grounded: boolean; citationsCorrect: boolean; comment: string }) => {
    if (!next?.item) return;
    api
      .reviewRate(settings.apiKey, { run, reviewer: reviewer.trim(), itemId: next.item.id, ...r })
      .then(refresh)
      .catch((e: Error) => setError(e.message));
  };
  return (
    <section class="review">
      <div class="doc-tools">
        <label>
          Run
          <select id="review-run" value={run} onChange={(e) => setRun((e.target as HTMLSelectElement).value)}>
            {runs.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reviewer
          <input
            id="reviewer"
            value={draft}
            onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
            onChange={() => setReviewer(draft)}
            autocomplete="name"
          />
        </label>
      </div>
      {error && <p class="error">{error}</p>}
      {runs.length === 0 && (
        <p class="hint">No run to review: start `ragkit review serve --run answers.json`, or POST a run to /api/review/runs.</p>
      )}
      {runs.length > 0 && !reviewer.trim() && <p class="hint">Enter your name to start reviewing.</p>}
      {next && !next.item && <p class="hint">Every answer of this run has your rating. Thank you!</p>}
      {stats && <Agreement ratings={stats.ratings} agreement={stats.agreement} />}
      {next?.item && (
        <div id="item" key={next.item.id}>
          <p class="hint">{next.remaining} left to rate</p>
          <h2 class="question">{next.item.question}</h2>
          {/* markdownHtml escapes raw HTML and sanitises with DOMPurify */}
          <div class="card answer markdown" dangerouslySetInnerHTML={{ __html: answer }} />
          {next.item.gold.length > 0 && <p class="gold">Expected: {next.item.gold.join(" · ")}</p>}
          {next.item.citations.length > 0 && (
            <ol class="sources">
              {next.item.citations.map((c) => (
                <li key={c.marker}>
                  [{c.marker}] <q>{c.quote}</q>
                </li>
              ))}
            </ol>
          )}
          <RatingForm onSave={rate} />
        </div>
      )}
    </section>
  );
}

import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Comparison } from "./compare.js";

/** Any run file (answers or retrieval) as the report needs it. */
export interface ReportRun {
  kind: string;
  dataset: string;
  config: object;
  metrics: object;
  /** Per-question results with their `metrics`; the page reads them as JSON. */
  results: Array<{ id: string }>;
}

const require = createRequire(import.meta.url);

/** JSON inside <script> must not be able to close the tag. */
export function embed(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

// The page script builds every cell with textContent: answers and documents can hold anything.
const PAGE_SCRIPT = `
const data = JSON.parse(document.getElementById("data").textContent);
const runs = data.runs;
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
const fmt = (v) => typeof v === "number" ? (Math.abs(v) >= 10 ? v.toFixed(2) : v.toFixed(4)) : String(v);
const keys = Object.keys(runs[0].metrics);
const colors = ["#2f5fd0", "#d0762f", "#2f9d5f", "#9d2f8a"];

const summary = document.getElementById("summary");
const head = el("tr"); head.append(el("th", "metric")); runs.forEach((r) => head.append(el("th", r.label)));
if (data.comparison) { head.append(el("th", "delta")); head.append(el("th", "95% CI")); head.append(el("th", "p")); }
summary.append(head);
for (const k of keys) {
  const row = el("tr"); row.append(el("td", k));
  runs.forEach((r) => row.append(el("td", fmt(r.metrics[k] ?? NaN), "num")));
  const c = data.comparison && data.comparison.metrics.find((m) => m.metric === k);
  if (c) { row.append(el("td", (c.delta >= 0 ? "+" : "") + fmt(c.delta), "num " + (c.worse ? "worse" : c.significant ? "better" : ""))); row.append(el("td", "[" + fmt(c.ci[0]) + ", " + fmt(c.ci[1]) + "]", "num")); row.append(el("td", c.pValue.toFixed(3), "num")); }
  summary.append(row);
}

if (data.reviews) {
  const box = document.getElementById("reviews");
  box.append(el("h2", "Human review"));
  box.append(el("p", data.reviews.ratings + " ratings; mean correctness " + (data.reviews.meanCorrectness === null ? "–" : data.reviews.meanCorrectness.toFixed(2)) + " / 5"));
  const t = el("table"); const h = el("tr"); ["reviewers", "items", "kappa correctness", "kappa grounded", "kappa citations"].forEach((x) => h.append(el("th", x))); t.append(h);
  for (const a of data.reviews.agreement) { const r = el("tr"); [a.reviewers.join(" & "), a.items, a.correctness === null ? "–" : a.correctness.toFixed(3), a.grounded === null ? "–" : a.grounded.toFixed(3), a.citationsCorrect === null ? "–" : a.citationsCorrect.toFixed(3)].forEach((x) => r.append(el("td", x))); t.append(r); }
  box.append(t);
}
const rates = keys.filter((k) => runs.every((r) => (r.metrics[k] ?? 0) <= 1));
new Chart(document.getElementById("bars"), {
  type: "bar",
  data: { labels: rates, datasets: runs.map((r, i) => ({ label: r.label, data: rates.map((k) => r.metrics[k]), backgroundColor: colors[i % colors.length] })) },
  options: { animation: false, responsive: true, scales: { y: { min: 0, max: 1 } } },
});

const primary = data.primary;
const bins = Array.from({ length: 10 }, (_, i) => (i / 10).toFixed(1) + "–" + ((i + 1) / 10).toFixed(1));
new Chart(document.getElementById("hist"), {
  type: "bar",
  data: { labels: bins, datasets: runs.map((r, i) => { const counts = new Array(10).fill(0); r.results.forEach((q) => { const v = q.metrics[primary] ?? 0; counts[Math.min(9, Math.floor(v * 10))]++; }); return { label: r.label + " (" + primary + ")", data: counts, backgroundColor: colors[i % colors.length] }; }) },
  options: { animation: false, responsive: true, plugins: { title: { display: true, text: "Distribution of per-question " + primary } } },
});

const table = document.getElementById("questions");
const filter = document.getElementById("filter");
function renderRows() {
  const q = filter.value.toLowerCase();
  table.replaceChildren();
  const th = el("tr"); ["id", "question / query", "answer", "gold", "citations", "retrieved", primary].forEach((h) => th.append(el("th", h))); table.append(th);
  for (const r of runs[0].results) {
    const text = [r.id, r.question, r.query, r.answer, (r.gold || []).join(" ")].join(" ").toLowerCase();
    if (q && !text.includes(q)) continue;
    const row = el("tr");
    row.append(el("td", r.id));
    row.append(el("td", r.question ?? r.query ?? ""));
    row.append(el("td", r.answer ?? ""));
    row.append(el("td", (r.gold || []).join(" | ")));
    const cites = el("td"); (r.citations || []).forEach((c) => cites.append(el("div", "[" + c.marker + "] " + c.documentId + ": " + c.quote, "quote"))); row.append(cites);
    const hits = el("td"); (r.hits || []).slice(0, 5).forEach((h) => hits.append(el("div", h.documentId + " " + fmt(h.score)))); row.append(hits);
    row.append(el("td", fmt(r.metrics[primary] ?? NaN), "num"));
    table.append(row);
  }
}
filter.addEventListener("input", renderRows);
renderRows();
`;

export const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#1d1d1f;background:#fafaf8}h1{font-size:1.4rem}table{border-collapse:collapse;background:#fff;margin:1rem 0;width:100%}th,td{border-bottom:1px solid #e2e2e0;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.85rem}.num{text-align:right;font-variant-numeric:tabular-nums}.worse{color:#b42318;font-weight:600}.better{color:#137333;font-weight:600}.charts{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}.quote{font-style:italic;color:#555;margin-bottom:.2rem}input{padding:.4rem;width:24rem}code{background:#eee;padding:0 .2rem}`;

/**
 * One self-contained HTML file: summary table, bar charts per metric, the distribution of the
 * primary metric, and a filterable per-question table. Chart.js is inlined, so it opens offline.
 */
export interface ReviewSummary {
  ratings: number;
  meanCorrectness: number | null;
  agreement: Array<{
    reviewers: [string, string];
    items: number;
    correctness: number | null;
    grounded: number | null;
    citationsCorrect: number | null;
  }>;
}

export async function writeReport(
  file: string,
  runs: ReportRun[],
  labels: string[],
  comparison?: Comparison,
  reviews?: ReviewSummary,
): Promise<void> {
  const chartJs = await chartScript();
  const primary = runs[0]?.kind === "retrieval" ? "ndcg@10" : "f1";
  const data = { runs: runs.map((r, i) => ({ ...r, label: labels[i] ?? `run ${i + 1}` })), comparison, primary, reviews };
  const title = `ragkit ${runs[0]?.kind ?? ""} evaluation`;
  const configs = runs.map((r, i) => `<p><b>${labels[i] ?? ""}</b> <code>${escapeHtml(JSON.stringify(r.config))}</code></p>`).join("");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1><p>${escapeHtml(runs[0]?.dataset ?? "")} · ${runs[0]?.results.length ?? 0} questions</p>${configs}
<table id="summary"></table>
<div id="reviews"></div>
<div class="charts"><div><canvas id="bars"></canvas></div><div><canvas id="hist"></canvas></div></div>
<h2>Questions</h2><input id="filter" placeholder="Filter questions, answers, ids…"><table id="questions"></table>
<script type="application/json" id="data">${embed(data)}</script>
<script>${chartJs}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>`;
  await writeFile(file, html);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Chart.js for an inline <script>: the UMD build is not in its exports map; it sits next to the CommonJS entry. */
export async function chartScript(): Promise<string> {
  const code = await readFile(path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
  return code.replace(/<\/script/gi, "<\\/script");
}

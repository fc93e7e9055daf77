import { writeFile } from "node:fs/promises";
import { chartScript, embed, escapeHtml, STYLE } from "../eval/report.js";
import type { TuneReport } from "../types.js";

// Cells are filled with textContent: queries can hold anything.
const PAGE_SCRIPT = `
const data = JSON.parse(document.getElementById("data").textContent);
const v = data.validation;
const rows = [["", "untuned", "tuned", "delta", "95% CI", "wins / losses / ties"],
  ["nDCG@10 (cross-validated on " + v.queries + " training queries)", v.untuned.toFixed(4), v.tuned.toFixed(4), v.delta.toFixed(4),
   v.ci[0].toFixed(4) + " … " + v.ci[1].toFixed(4), v.wins + " / " + v.losses + " / " + v.ties]];
if (data.heldOut) rows.push(["nDCG@10 on the held-out split (" + data.heldOut.queries + " queries)", data.heldOut.untuned.toFixed(4),
  data.heldOut.tuned.toFixed(4), data.heldOut.delta.toFixed(4), data.heldOut.ci[0].toFixed(4) + " … " + data.heldOut.ci[1].toFixed(4),
  data.heldOut.wins + " / " + data.heldOut.losses + " / " + data.heldOut.ties]);
const table = document.getElementById("summary");
rows.forEach((r, i) => { const tr = table.insertRow(); r.forEach((c) => { const cell = document.createElement(i ? "td" : "th"); cell.textContent = c; tr.appendChild(cell); }); });
const h = data.adapter.history;
if (h.length) new Chart(document.getElementById("loss"), { type: "line", data: { labels: h.map((e) => e.epoch),
  datasets: [{ label: "training loss", data: h.map((e) => e.loss) }] }, options: { plugins: { title: { display: true, text: "Adapter training loss per epoch" } } } });
const tried = data.tried.filter((t) => t.fusion === "convex");
new Chart(document.getElementById("weights"), { type: "line", data: { labels: [...new Set(tried.map((t) => t.denseWeight))],
  datasets: [false, true].map((a) => ({ label: a ? "with adapter" : "without adapter", data: tried.filter((t) => t.adapter === a).map((t) => t.ndcg) })).filter((d) => d.data.length) },
  options: { plugins: { title: { display: true, text: "Cross-validated nDCG@10 by dense weight (convex fusion)" } } } });
const q = document.getElementById("queries");
const head = q.insertRow(); ["query", "untuned", "tuned", "change"].forEach((c) => { const th = document.createElement("th"); th.textContent = c; head.appendChild(th); });
[...data.perQuery].sort((a, b) => Math.abs(b.tuned - b.untuned) - Math.abs(a.tuned - a.untuned)).forEach((p) => {
  const tr = q.insertRow(); const d = p.tuned - p.untuned;
  [p.query, p.untuned.toFixed(3), p.tuned.toFixed(3), d.toFixed(3)].forEach((c, i) => { const td = tr.insertCell(); td.textContent = c; if (i) td.className = "num"; if (i === 3 && d) td.classList.add(d > 0 ? "better" : "worse"); });
});`;

/** The self-contained HTML report of a tuning: before/after, the loss curve, every query's win or loss. */
export async function writeTuneReport(file: string, report: TuneReport, heldOut?: TuneReport["validation"]): Promise<void> {
  const title = `ragkit tune: ${report.applied ? "applied" : "not applied"}`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1><p>${escapeHtml(report.reason)}</p>
<p>Settings: <code>${escapeHtml(JSON.stringify(report.settings))}</code> · adapter ${report.adapter.used ? `trained ${report.adapter.history.length} epochs` : "not used"} · ${report.pairs.total} pairs <code>${escapeHtml(JSON.stringify(report.pairs.bySource))}</code> · ${report.seconds.toFixed(1)} s</p>
<table id="summary"></table>
<div class="charts"><div><canvas id="loss"></canvas></div><div><canvas id="weights"></canvas></div></div>
<h2>Training queries, cross-validated</h2><table id="queries"></table>
<script type="application/json" id="data">${embed({ ...report, heldOut })}</script>
<script>${await chartScript()}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>`;
  await writeFile(file, html);
}

/** The reviewer's page: one question at a time, rendered with textContent only. */
export const REVIEW_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ragkit review</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
.card{border:1px solid #ddd;border-radius:10px;padding:1rem;margin:1rem 0;white-space:pre-wrap}.muted{color:#666}
label{display:block;margin:.5rem 0}button{padding:.5rem 1.2rem;background:#2f5fd0;color:#fff;border:0;border-radius:8px}
.quote{font-style:italic;margin:.3rem 0}</style></head><body>
<h1>ragkit review</h1>
<label>Your name <input id="reviewer" autocomplete="name"></label>
<div id="item"></div>
<form id="form" hidden>
  <label>Correctness <select id="correctness"><option value="5">5 correct</option><option value="4">4</option><option value="3">3</option><option value="2">2</option><option value="1">1 wrong</option></select></label>
  <label><input type="checkbox" id="grounded"> Every claim is supported by the cited passages</label>
  <label><input type="checkbox" id="citations"> The citations point to the right passages</label>
  <label>Comment <textarea id="comment" rows="3" cols="60"></textarea></label>
  <button type="submit">Save and next</button>
</form>
<p id="status" class="muted"></p>
<script>
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); e.textContent = text; if (cls) e.className = cls; return e; };
$("reviewer").value = localStorage.getItem("ragkit.reviewer") || "";
let current;
async function load() {
  const reviewer = $("reviewer").value.trim();
  localStorage.setItem("ragkit.reviewer", reviewer);
  loadedFor = reviewer;
  $("item").replaceChildren(); $("form").hidden = true;
  if (!reviewer) { $("status").textContent = "Enter your name to start."; return; }
  const r = await fetch("/api/review/next?reviewer=" + encodeURIComponent(reviewer)).then((x) => x.json());
  if (!r.item) { $("status").textContent = "All done: nothing left to review."; return; }
  current = r.item;
  $("status").textContent = r.remaining + " left";
  const box = $("item");
  box.append(el("h2", current.question));
  box.append(el("div", current.answer, "card"));
  box.append(el("p", "Gold: " + current.gold.join(" | "), "muted"));
  for (const c of current.citations) box.append(el("div", "[" + c.marker + "] " + c.documentId + ": " + c.quote, "quote"));
  $("form").hidden = false;
}
let loadedFor = null;
$("reviewer").addEventListener("change", () => { if ($("reviewer").value.trim() !== loadedFor) load(); });
$("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { reviewer: $("reviewer").value.trim(), itemId: current.id, correctness: Number($("correctness").value), grounded: $("grounded").checked, citationsCorrect: $("citations").checked, comment: $("comment").value };
  const res = await fetch("/api/review/rate", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) { $("status").textContent = (await res.json()).error.message; return; }
  $("comment").value = ""; $("grounded").checked = false; $("citations").checked = false;
  load();
});
load();
</script></body></html>`;

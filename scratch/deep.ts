import { htmlToText } from "../src/load/html-text.ts";
const html = "<html><body>" + "<div>".repeat(30000) + "hi" + "</div>".repeat(30000) + "</body></html>";
let t = Date.now();
try { htmlToText(html); } catch (e) { console.log("err", String(e).slice(0, 140)); }
console.log("total", Date.now() - t);
const ok = "<html><body>" + "<div>".repeat(900) + "hi" + "</div>".repeat(900) + "<p>a<p>b".repeat(5000)+ "</body></html>";
t = Date.now();
console.log(htmlToText(ok).text.length, Date.now() - t);

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Document as DocxDocument, HeadingLevel, Packer, Paragraph } from "docx";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config.js";
import { loadFile } from "../src/load/index.js";
import { failure } from "./helpers/errors.js";
import { tempDir } from "./helpers/fs.js";
import { makePdf } from "./helpers/pdf.js";

const options = configSchema.parse({}).load;

async function write(dir: string, name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

describe("loaders", () => {
  it("text and markdown keep the file's own text, with an absolute source and a stable id", async () => {
    const dir = await tempDir();
    const md = "---\ntitle: Front Title\n---\n# Heading\n\nBody text.\n";
    const file = await write(dir, "a.md", md);
    const [doc] = await loadFile(file, options);
    expect(doc?.text).toBe(md);
    expect(doc?.source).toBe(file);
    expect(doc?.title).toBe("Front Title");
    expect(doc?.metadata.structure).toBe("markdown");
    const [again] = await loadFile(path.relative(process.cwd(), file), options);
    expect(again?.id).toBe(doc?.id);
    expect(again?.contentHash).toBe(doc?.contentHash);
  });

  it("detects legacy encodings and decodes them", async () => {
    const dir = await tempDir();
    const text = "Crème brûlée à la française, déjà vu. Ça coûte très cher. Où est le garçon? Élève, être, naïve, forêt.";
    const file = await write(dir, "latin.txt", iconv.encode(text, "latin1"));
    const [doc] = await loadFile(file, options);
    expect(doc?.text).toBe(text);
    expect(String(doc?.metadata.encoding)).toMatch(/iso-8859|windows-125/);
  });

  it("HTML gives the main text as light Markdown, without navigation or scripts", async () => {
    const dir = await tempDir();
    const html = `<html><head><title>T</title><script>var secret = 1;</script></head><body>
      <nav>Home | About</nav><main><h1>Main title</h1><p>First <b>para</b>.</p><ul><li>one</li><li>two</li></ul></main>
      <footer>copyright</footer></body></html>`;
    const [doc] = await loadFile(await write(dir, "p.html", html), options);
    expect(doc?.title).toBe("T");
    expect(doc?.text).toBe("# Main title\n\nFirst para.\n\n- one\n- two");
    expect(doc?.text).not.toMatch(/secret|Home|copyright/);
  });

  it("PDF text layer, page by page, with page offsets", async () => {
    const dir = await tempDir();
    const file = await write(dir, "r.pdf", makePdf(["Alpha page one text", "Beta page two text"], "Report"));
    const [doc] = await loadFile(file, options);
    expect(doc?.title).toBe("Report");
    expect(doc?.metadata.pages).toBe(2);
    const starts = doc?.metadata.pageStarts as number[];
    expect(doc?.text.slice(starts[1])).toContain("Beta page two");
    expect(doc?.text.slice(0, starts[1])).toContain("Alpha page one");
  });

  it("docx keeps headings as Markdown", async () => {
    const dir = await tempDir();
    const docx = new DocxDocument({
      sections: [
        {
          children: [
            new Paragraph({ text: "Quarterly plan", heading: HeadingLevel.HEADING_1 }),
            new Paragraph("We ship the importer in May."),
          ],
        },
      ],
    });
    const file = await write(dir, "plan.docx", await Packer.toBuffer(docx));
    const [doc] = await loadFile(file, options);
    expect(doc?.text).toBe("# Quarterly plan\n\nWe ship the importer in May.");
    expect(doc?.title).toBe("Quarterly plan");
  });

  it("JSON and JSONL records become documents with ids, titles and scalar metadata", async () => {
    const dir = await tempDir();
    const jsonl = `${JSON.stringify({ _id: "r1", title: "One", text: "first text", lang: "en" })}\n\n${JSON.stringify({ _id: "r2", text: "second" })}\n`;
    const docs = await loadFile(await write(dir, "c.jsonl", jsonl), options);
    expect(docs.map((d) => [d.id, d.title, d.text])).toEqual([
      ["r1", "One", "first text"],
      ["r2", undefined, "second"],
    ]);
    expect(docs[0]?.metadata.lang).toBe("en");
    const nested = await loadFile(await write(dir, "n.json", JSON.stringify({ body: { value: "deep" } })), {
      ...options,
      json: { ...options.json, textField: "body.value" },
    });
    expect(nested[0]?.text).toBe("deep");
  });

  it("CSV is one document (the file's text, header as context) or one per row", async () => {
    const dir = await tempDir();
    const csv = 'name,role\nAda,"engineer, lead"\nLin,designer\n';
    const file = await write(dir, "team.csv", csv);
    const [whole] = await loadFile(file, options);
    expect(whole?.text).toBe(csv);
    expect(whole?.metadata.header).toBe("name, role");
    const rows = await loadFile(file, { ...options, csv: { rowPerDocument: true } });
    expect(rows.map((r) => r.text)).toEqual(['Ada,"engineer, lead"', "Lin,designer"]);
    expect(rows[0]?.metadata.role).toBe("engineer, lead");
    expect(csv).toContain(rows[0]?.text);
  });

  it("bad input fails with a code and a reason", async () => {
    const dir = await tempDir();
    const cases: Array<[string, string | Buffer, string]> = [
      ["empty.txt", "", "EMPTY_DOCUMENT"],
      ["blank.md", "  \n\n ", "EMPTY_DOCUMENT"],
      ["binary.txt", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0x03]), "BINARY_FILE"],
      ["broken.pdf", "%PDF-1.4 this is not really a pdf", "PARSE_FAILED"],
      ["broken.docx", "not a zip", "PARSE_FAILED"],
      ["bad.json", "{ nope", "PARSE_FAILED"],
      ["nofield.json", JSON.stringify({ other: "x" }), "MISSING_FIELD"],
      ["bad-line.jsonl", '{"text":"ok"}\n{broken\n', "PARSE_FAILED"],
      ["file.xyz", "text", "UNSUPPORTED_FORMAT"],
    ];
    for (const [name, content, code] of cases) {
      const error = await failure(loadFile(await write(dir, name, content), options));
      expect([name, error.code]).toEqual([name, code]);
      expect(error.message).toContain(name);
    }
    expect((await failure(loadFile(path.join(dir, "missing.txt"), options))).code).toBe("FILE_NOT_FOUND");
    const big = await write(dir, "big.txt", "x".repeat(2000));
    const tooLarge = await failure(loadFile(big, { ...options, maxBytes: 1000 }));
    expect(tooLarge.code).toBe("FILE_TOO_LARGE");
    expect(tooLarge.message).toContain("load.maxBytes");
  });
});

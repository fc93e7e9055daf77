import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { Document as DocxDocument, Packer, Paragraph } from "docx";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config.js";
import { loadFile } from "../src/load/index.js";
import { LoaderPool } from "../src/load/load-pool.js";
import { Rag } from "../src/rag.js";
import { failure } from "./helpers/errors.js";
import { tempDir } from "./helpers/fs.js";
import { makePdf, pdfBomb } from "./helpers/pdf.js";

const options = configSchema.parse({}).load;

/** A real .docx whose document.xml is blown up to `bytes` of valid, highly compressible XML. */
async function docxBomb(bytes: number): Promise<Buffer> {
  const small = await Packer.toBuffer(new DocxDocument({ sections: [{ children: [new Paragraph("seed")] }] }));
  const files = unzipSync(new Uint8Array(small));
  const xml = strFromU8(files["word/document.xml"] as Uint8Array);
  const paragraph = "<w:p><w:r><w:t>bomb</w:t></w:r></w:p>";
  const body = paragraph.repeat(Math.ceil(bytes / paragraph.length));
  files["word/document.xml"] = strToU8(xml.replace("<w:body>", `<w:body>${body}`));
  return Buffer.from(zipSync(files, { level: 9 }));
}

describe("loader limits", () => {
  it("files are parsed on a loader thread: the main thread stays responsive while a large PDF is read, and errors keep their code", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "big.pdf");
    await writeFile(file, makePdf(Array.from({ length: 3000 }, (_, i) => `Page ${i} tells of harbour ferries and granite quarries.`)));
    await writeFile(path.join(dir, "broken.pdf"), "%PDF-1.4 this is not a real PDF");
    const pool = new LoaderPool();
    // The longest gap between ticks of a 10 ms timer while the file is read: how long the main
    // thread could not answer anything (a server's /health included).
    let last = performance.now();
    let stall = 0;
    const tick = setInterval(() => {
      stall = Math.max(stall, performance.now() - last);
      last = performance.now();
    }, 10);
    try {
      const started = performance.now();
      const [doc] = await pool.load(file, options);
      const elapsed = performance.now() - started;
      stall = Math.max(stall, performance.now() - last);
      clearInterval(tick);
      expect(doc?.metadata.pages).toBe(3000);
      // Read here on the main thread, this file blocks it for most of the ~1.7 s the read takes;
      // on the loader thread the longest stall is a small fraction of it.
      expect(stall).toBeLessThan(elapsed / 4);
      expect((await failure(pool.load(path.join(dir, "broken.pdf"), options))).code).toBe("PARSE_FAILED");
    } finally {
      clearInterval(tick);
      await pool.close();
    }
  });

  it("a PDF whose streams inflate past load.pdf.maxInflatedBytes is refused before the parser reads it", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "bomb.pdf");
    await writeFile(file, pdfBomb(40_000_000));
    const error = await failure(loadFile(file, { ...options, pdf: { maxInflatedBytes: 16_000_000 } }));
    expect(error.code).toBe("FILE_TOO_LARGE");
    expect(error.message).toMatch(/inflate to more than 16000000 bytes.*load\.pdf\.maxInflatedBytes/);
    // Under a higher limit the very same file is read: it is a real PDF, refused only for its size.
    const [doc] = await loadFile(file, { ...options, pdf: { maxInflatedBytes: 64_000_000 } });
    expect(doc?.text).toBe("hello bomb");
  });

  it("a DOCX that inflates past the XML limit is refused while inflating, with the limit named", async () => {
    const dir = await tempDir();
    const bomb = await docxBomb(40_000_000);
    expect(bomb.length).toBeLessThan(1_000_000);
    const file = path.join(dir, "bomb.docx");
    await writeFile(file, bomb);
    const error = await failure(loadFile(file, options));
    expect(error.code).toBe("FILE_TOO_LARGE");
    expect(error.message).toMatch(/inflates to more than 16 MB.*load\.zip/);
    // A smaller one is refused under a lower limit and read under a higher one: the check is the
    // limit, not the shape of the file.
    const small = path.join(dir, "small.docx");
    await writeFile(small, await docxBomb(400_000));
    expect((await failure(loadFile(small, { ...options, zip: { ...options.zip, maxXmlBytes: 200_000 } }))).code).toBe("FILE_TOO_LARGE");
    const [doc] = await loadFile(small, { ...options, zip: { ...options.zip, maxXmlBytes: 1_000_000 } });
    expect(doc?.text.startsWith("bomb")).toBe(true);
  });

  it("entry count and total inflated size are limits too", async () => {
    const dir = await tempDir();
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 50; i++) files[`word/media/x${i}.bin`] = new Uint8Array(10_000);
    const file = path.join(dir, "many.docx");
    await writeFile(file, Buffer.from(zipSync(files)));
    expect((await failure(loadFile(file, { ...options, zip: { ...options.zip, maxEntries: 10 } }))).message).toMatch(
      /more than 10 entries/,
    );
    expect((await failure(loadFile(file, { ...options, zip: { ...options.zip, maxUnzippedBytes: 100_000 } }))).code).toBe("FILE_TOO_LARGE");
  });

  it("HTML nested 30,000 deep fails fast as PARSE_FAILED instead of overflowing the stack", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "deep.html");
    await writeFile(file, `<html><body>${"<div>".repeat(30_000)}deep${"</div>".repeat(30_000)}</body></html>`);
    const error = await failure(loadFile(file, options));
    expect(error.code).toBe("PARSE_FAILED");
    expect(error.message).toContain(file);
    // Ordinary deep-ish pages with unclosed <p> and <li> still load.
    const page = path.join(dir, "ok.html");
    await writeFile(page, `<body>${"<div>".repeat(200)}${"<p>para <li>item".repeat(3000)}${"</div>".repeat(200)}</body>`);
    expect((await loadFile(page, options))[0]?.text).toContain("para");
  });

  it("a document longer than load.maxChars is FILE_TOO_LARGE", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "long.txt");
    await writeFile(file, "word ".repeat(100));
    expect((await failure(loadFile(file, { ...options, maxChars: 100 }))).code).toBe("FILE_TOO_LARGE");
  });

  it("a file name that is not UTF-8 and a symlink loop are reported as what they are, and the rest is indexed", async () => {
    const root = await tempDir();
    const docs = path.join(root, "docs");
    await mkdir(docs);
    await writeFile(path.join(docs, "good.md"), "# Good\n\nFerries leave at dawn.\n");
    await writeFile(Buffer.concat([Buffer.from(`${docs}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from(".md")]), "# Bad name\n");
    await symlink(path.join(root, "loop-b"), path.join(root, "loop-a"));
    await symlink(path.join(root, "loop-a"), path.join(root, "loop-b"));
    const rag = await Rag.open({ dir: path.join(root, "idx") });
    try {
      const report = await rag.ingest([docs, path.join(root, "loop-a")]);
      expect(report.added).toBe(1);
      const codes = report.failed.map((f) => [f.code, f.message]);
      expect(codes).toContainEqual(["INVALID_FILE_NAME", expect.stringMatching(/not valid UTF-8; rename/)]);
      expect(codes).toContainEqual(["READ_FAILED", expect.stringMatching(/symbolic link loop/)]);
      expect(codes.some(([code]) => code === "FILE_NOT_FOUND")).toBe(false);
    } finally {
      await rag.close();
    }
  });
});

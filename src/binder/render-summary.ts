// A plain report PDF in the binder's font (title, sections of paragraphs and tables), built in memory: used for
// the reviewer pack of a review. Pages are stamped "第 N 页 / 共 M 页" like the binder's — unless `stamps` is false,
// for a report bound into a binder as its preface (the binder stamps it).
import { BinderDocument } from './pdf/binder-document.ts';
import { loadFontPrograms } from './pdf/cjk-font.ts';
import { PdfStreamWriter } from './pdf/pdf-stream-writer.ts';
import { Flow, renderPage, type Measures } from './pdf/sheet-layout.ts';

export interface SummarySection {
  heading: string;
  paragraphs?: string[];
  /** `size`: the text size of the table (9.5 pt by default); smaller for wide tables. */
  table?: { columns: string[]; widths?: number[]; rows: string[][]; size?: number };
}

export async function renderSummaryPdf(args: {
  title: string;
  subtitle?: string;
  sections: SummarySection[];
  creationDate: string;
  stamps?: boolean;
}): Promise<Uint8Array> {
  const programs = await loadFontPrograms();
  const m: Measures = { regular: programs.regular, bold: programs.bold };
  const flow = new Flow(m);
  flow.paragraph(args.title, { size: 20, bold: true, leading: 30 });
  if (args.subtitle) flow.paragraph(args.subtitle, { size: 11, gray: 0.35, leading: 18 });
  flow.rule({ gray: 0.3, width: 0.8 });
  for (const section of args.sections) {
    flow.space(6);
    flow.paragraph(section.heading, { size: 13.5, bold: true, leading: 22, firstLineKeep: 22 + 18 * 2 });
    for (const p of section.paragraphs ?? []) {
      flow.paragraph(p, { size: 10.5, leading: 17 });
      flow.space(3);
    }
    if (section.table) {
      flow.space(3);
      const { columns, rows, widths, size } = section.table;
      flow.table(columns, rows, { ...(widths ? { widths } : {}), ...(size ? { size } : {}) });
    }
  }
  const { writer, bytes } = PdfStreamWriter.inMemory();
  const doc = new BinderDocument(writer, programs);
  for (const page of flow.pages) doc.addSheet(renderPage(page, doc.fonts), args.stamps === false ? null : '');
  await doc.finish({ numbering: { number: (i) => i + 1, total: doc.pageCount }, outline: [], info: { title: args.title, creationDate: args.creationDate } });
  return bytes();
}

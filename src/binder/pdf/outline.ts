// PDF bookmarks (the outline tree): titles as UTF-16BE text strings, each pointing at a page by reference.
import { pdfTextString, type PdfStreamWriter } from './pdf-stream-writer.ts';

export interface OutlineNode {
  title: string;
  /** Index of the target page within the document. */
  page: number;
  children: OutlineNode[];
  /** Shown expanded in the viewer's bookmark pane. */
  open?: boolean;
}

/** Number of visible descendants (PDF /Count): children of open nodes count, those of closed ones do not. */
function visibleCount(node: OutlineNode): number {
  if (!node.open) return 0;
  return node.children.reduce((n, c) => n + 1 + visibleCount(c), 0);
}

export function countOutline(nodes: OutlineNode[]): number {
  return nodes.reduce((n, c) => n + 1 + countOutline(c.children), 0);
}

/** Writes the outline; returns the /Outlines dictionary's object number, or null when there is nothing to show. */
export function writeOutline(writer: PdfStreamWriter, nodes: OutlineNode[], pageRef: (index: number) => number): number | null {
  if (nodes.length === 0) return null;
  const root = writer.allocate();
  const writeLevel = (level: OutlineNode[], parent: number): { first: number; last: number } => {
    const refs = level.map(() => writer.allocate());
    level.forEach((node, i) => {
      const ref = refs[i]!;
      let body = `<< /Title ${pdfTextString(node.title)} /Parent ${parent} 0 R /Dest [${pageRef(node.page)} 0 R /XYZ null null null]`;
      if (i > 0) body += ` /Prev ${refs[i - 1]} 0 R`;
      if (i < refs.length - 1) body += ` /Next ${refs[i + 1]} 0 R`;
      if (node.children.length > 0) {
        const { first, last } = writeLevel(node.children, ref);
        const count = node.open ? visibleCount(node) : -node.children.length;
        body += ` /First ${first} 0 R /Last ${last} 0 R /Count ${count}`;
      }
      writer.writeObject(ref, `${body} >>`);
    });
    return { first: refs[0]!, last: refs[refs.length - 1]! };
  };
  const { first, last } = writeLevel(nodes, root);
  const top = nodes.reduce((n, c) => n + 1 + visibleCount(c), 0);
  writer.writeObject(root, `<< /Type /Outlines /First ${first} 0 R /Last ${last} 0 R /Count ${top} >>`);
  return root;
}

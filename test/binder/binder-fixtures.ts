// Evidence files for the binder tests, made on the fly: PDFs of every page geometry the importer must handle,
// images in the formats it must convert, and the broken inputs it must replace by placeholder sheets.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDocument, PDFName, PDFNumber, StandardFonts, degrees, rgb } from 'pdf-lib';
import sharp from 'sharp';
import type { BinderPlan, EvidenceOpener, PlanEvidence, PlanItem } from '../../src/binder/binder-types.ts';

export const run = promisify(execFile);

export async function textPdf(file: string, pages: { size: [number, number]; text: string; rotate?: number; /** x, y, width, height */ crop?: [number, number, number, number] }[]): Promise<void> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const p of pages) {
    const page = doc.addPage(p.size);
    page.drawText(p.text, { x: 60, y: p.size[1] - 100, size: 28, font });
    if (p.crop) page.drawText(p.text, { x: p.crop[0] + 20, y: p.crop[1] + 40, size: 28, font });
    // Ink down to the very bottom edge: the stamp band must still stay clear of it.
    page.drawRectangle({ x: 0, y: 0, width: p.size[0], height: 6, color: rgb(0, 0, 0) });
    page.drawText(`${p.text} BOTTOM`, { x: 60, y: 10, size: 12, font });
    if (p.rotate) page.setRotation(degrees(p.rotate));
    if (p.crop) page.setCropBox(...p.crop);
  }
  await writeFile(file, await doc.save());
}

/** A filled-in form field: its printed appearance must survive although annotations are not copied. */
async function formPdf(file: string): Promise<void> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595.28, 841.89]);
  page.drawText('FORM-MARK', { x: 60, y: 700, size: 24, font: await doc.embedFont(StandardFonts.Helvetica) });
  const field = doc.getForm().createTextField('name');
  field.setText('FILLED-VALUE');
  field.addToPage(page, { x: 60, y: 600, width: 200, height: 30 });
  await writeFile(file, await doc.save());
}

/** One page whose MediaBox, Rotate and Resources live on the parent /Pages node (inherited attributes). */
async function inheritedPdf(file: string): Promise<void> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([400, 300]);
  page.drawText('INHERITED-MARK', { x: 40, y: 150, size: 24, font });
  const pages = doc.catalog.Pages();
  for (const key of ['MediaBox', 'Resources']) {
    const name = PDFName.of(key);
    pages.set(name, page.node.get(name)!);
    page.node.delete(name);
  }
  pages.set(PDFName.of('Rotate'), PDFNumber.of(180));
  if (!(pages.get(PDFName.of('MediaBox')) instanceof PDFArray)) throw new Error('fixture: no MediaBox moved');
  await writeFile(file, await doc.save({ useObjectStreams: false }));
}

const svgText = (w: number, h: number, text: string) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><text x="${w * 0.08}" y="${h * 0.2}" font-size="${Math.round(h / 12)}" fill="#000">${text}</text></svg>`);

async function imageWithText(w: number, h: number, text: string) {
  return sharp({ create: { width: w, height: h, channels: 3, background: '#ffffff' } }).composite([{ input: svgText(w, h, text) }]);
}

export interface Fixtures {
  dir: string;
  plan: BinderPlan;
  open: EvidenceOpener;
  /** Evidence keys expected to be replaced by placeholders, with their reasons. */
  broken: Record<string, string>;
}

const ev = (key: string, title: string, fileName: string, estimatedPages: number, range?: [number, number]): PlanEvidence => ({
  key,
  title,
  fileName,
  pageFrom: range ? range[0] : null,
  pageTo: range ? range[1] : null,
  estimatedPages,
});

const item = (code: string, title: string, evidence: PlanEvidence[], core = false): PlanItem => ({
  code,
  title,
  core,
  requirement: `C：${title}有制度、有记录。\nB：在C基础上，定期检查并持续改进。\nA：在B基础上，成效明显。`,
  selfGrade: evidence.length > 0 ? 'B' : null,
  narrative: evidence.length > 0 ? `本院${title}工作已落实，相关材料见后附佐证材料。` : '',
  evidence,
});

export async function makeFixtures(dir: string): Promise<Fixtures> {
  const f = (name: string) => path.join(dir, name);
  const A4: [number, number] = [595.28, 841.89];
  await textPdf(f('portrait.pdf'), [{ size: A4, text: 'PORTRAIT-MARK' }]);
  await textPdf(f('landscape.pdf'), [{ size: [A4[1], A4[0]], text: 'LANDSCAPE-MARK' }]);
  await textPdf(f('rotate90.pdf'), [{ size: A4, text: 'ROTATE-MARK', rotate: 90 }]);
  await textPdf(f('cropbox.pdf'), [{ size: A4, text: 'CROP-MARK', crop: [40, 300, 460, 220] }]);
  await textPdf(f('three.pdf'), [1, 2, 3].map((n) => ({ size: A4, text: `THREE-P${n}` })));
  await textPdf(f('thirty.pdf'), Array.from({ length: 30 }, (_, i) => ({ size: A4, text: `THIRTY-P${i + 1}` })));
  await inheritedPdf(f('inherited.pdf'));
  await formPdf(f('form.pdf'));
  await (await imageWithText(1240, 1754, 'SCAN JPEG')).grayscale().jpeg({ quality: 80 }).toFile(f('scan.jpg'));
  await (await imageWithText(900, 600, 'PNG 16 BIT')).toColourspace('rgb16').png().toFile(f('deep.png'));
  await (await imageWithText(600, 800, 'CMYK JPEG')).toColourspace('cmyk').jpeg().toFile(f('cmyk.jpg'));
  const t1 = await (await imageWithText(600, 840, 'TIFF ONE')).png().toBuffer();
  const t2 = await (await imageWithText(600, 840, 'TIFF TWO')).png().toBuffer();
  await sharp([t1, t2], { join: { animated: true } }).tiff().toFile(f('two-pages.tiff'));
  // Broken inputs.
  const three = await import('node:fs/promises').then((fs) => fs.readFile(f('three.pdf')));
  await writeFile(f('corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('this is not a pdf body at all \x00\x01\x02 '.repeat(50))]));
  await writeFile(f('truncated.pdf'), three.subarray(0, 40));
  await run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', f('portrait.pdf'), f('encrypted.pdf')]);
  // Permissions only (opens without a password): imported after decryption.
  await textPdf(f('restricted-plain.pdf'), [{ size: A4, text: 'RESTRICTED-MARK' }]);
  await run('qpdf', ['--encrypt', '', 'owner', '256', '--modify=none', '--', f('restricted-plain.pdf'), f('restricted.pdf')]);
  await writeFile(f('empty.pdf'), await (await PDFDocument.create()).save({ addDefaultPage: false }));

  const plan: BinderPlan = {
    institutionName: '修武县郇封镇卫生院',
    year: 2026,
    targetLevelLabel: '基本标准',
    standardTitle: '乡镇卫生院服务能力评价指南',
    standardEdition: 2023,
    demonstration: true,
    dateLabel: '2026年11月20日',
    creationDate: '2026-11-20T08:00:00Z',
    chapters: [
      {
        code: '1',
        title: '功能任务与资源配置',
        sections: [
          {
            code: '1.1',
            title: '功能任务',
            items: [
              item('1.1.1', '功能定位与服务范围', [ev('portrait', '执业许可证', 'portrait.pdf', 1), ev('scan', '服务项目公示照片', 'scan.jpg', 1)], true),
              item('1.1.2', '乡村一体化管理', [ev('landscape', '乡村一体化管理台账', 'landscape.pdf', 1), ev('rotate90', '督导考核记录', 'rotate90.pdf', 1)]),
            ],
          },
          {
            code: '1.2',
            title: '资源配置',
            items: [
              item('1.2.1', '房屋与设备', [ev('crop', '设备清单（裁切页）', 'cropbox.pdf', 1), ev('three', '设备维护记录', 'three.pdf', 3, [2, 3]), ev('inherited', '房屋平面图', 'inherited.pdf', 1)]),
              item('1.2.2', '人员配置', [], true),
            ],
          },
        ],
      },
      {
        code: '2',
        title: '基本医疗和公共卫生服务',
        sections: [
          {
            code: '2.1',
            title: '基本医疗服务',
            items: [
              item('2.1.1', '门诊服务', [ev('png16', '门诊流程图', 'deep.png', 1), ev('cmyk', '门诊公示牌', 'cmyk.jpg', 1), ev('tiff', '门诊日志扫描件', 'two-pages.tiff', 2)], true),
              item('2.1.2', '住院服务', [ev('corrupt', '住院制度', 'corrupt.pdf', 2), ev('encrypted', '加密的会议纪要', 'encrypted.pdf', 1), ev('empty', '空白文件', 'empty.pdf', 0), ev('truncated', '截断的文件', 'truncated.pdf', 3)]),
            ],
          },
          {
            code: '2.2',
            title: '公共卫生服务',
            items: [
              item('2.2.1', '健康教育', [ev('office', '健康教育计划.docx', 'plan.docx', 3), ev('ofd', '电子公文', 'notice.ofd', 2)]),
              item('2.2.2', '慢病管理', [ev('portrait2', '慢病随访记录', 'portrait.pdf', 1), ev('restricted', '限制编辑的通知', 'restricted.pdf', 1), ev('form', '随访登记表（已填写）', 'form.pdf', 1)]),
            ],
          },
        ],
      },
    ],
  };
  const unavailable: Record<string, string> = { 'plan.docx': '文件尚未转换为 PDF', 'notice.ofd': 'OFD 格式暂不支持打印' };
  const open: EvidenceOpener = async (e) => {
    const reason = unavailable[e.fileName];
    if (reason) return { type: 'unavailable', reason };
    return { type: /\.(jpe?g|png|tiff?)$/i.test(e.fileName) ? 'image' : 'pdf', path: f(e.fileName) };
  };
  return {
    dir,
    plan,
    open,
    broken: {
      corrupt: 'PDF 文件已损坏，无法读取',
      encrypted: 'PDF 文件已加密，无法导入',
      empty: 'PDF 文件没有页面',
      truncated: 'PDF 文件已损坏，无法读取',
      office: '文件尚未转换为 PDF',
      ofd: 'OFD 格式暂不支持打印',
    },
  };
}

import type { ImportError } from '../src/institutions/institution-csv-import.ts';
import { INSTITUTION_FIELDS } from '../src/institutions/institution-schema.ts';
import { Flash, Layout, type PageContext } from './layout.tsx';

export interface InstitutionImportProps {
  ctx: PageContext;
  /** Problems found in the uploaded file; nothing was imported. */
  errors?: ImportError[];
  fileName?: string;
  /** Number of institutions imported. */
  imported?: number;
}

export function InstitutionImportPage(p: InstitutionImportProps) {
  return (
    <Layout ctx={p.ctx} title="批量导入机构" active="/institutions">
      <p class="breadcrumb">
        <a href="/institutions">机构</a> › 批量导入
      </p>
      <h1>批量导入机构</h1>

      {p.imported !== undefined && (
        <Flash kind="ok">
          已成功导入 {p.imported} 个机构。<a href="/institutions">查看机构列表</a>
        </Flash>
      )}

      {p.errors && p.errors.length > 0 && (
        <section class="card">
          <Flash kind="error">
            {p.fileName ? `文件“${p.fileName}”` : '文件'}中发现 {p.errors.length} 处问题，本次没有导入任何机构。请在表格中修改后重新上传。
          </Flash>
          <table class="list import-errors">
            <thead>
              <tr>
                <th>行号</th>
                <th>问题</th>
              </tr>
            </thead>
            <tbody>
              {p.errors.map((e) => (
                <tr>
                  <td>{e.row ?? '—'}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section class="card">
        <h2>上传 CSV 文件</h2>
        <form method="post" action="/institutions/import" enctype="multipart/form-data" class="stack">
          <input type="hidden" name="_csrf" value={p.ctx.csrfToken} />
          <label>
            CSV 文件（不超过 2 MB，最多 5000 行）
            <input type="file" name="file" accept=".csv,text/csv" required />
          </label>
          <div class="actions">
            <button type="submit" class="primary">
              导入
            </button>
            <a href="/institutions">取消</a>
          </div>
        </form>
      </section>

      <section class="card">
        <h2>文件格式</h2>
        <ul>
          <li>
            第 1 行为表头，从第 2 行起每行一个机构。可以 <a href="/institutions/import/template.csv">下载模板</a>，在 Excel
            中填写后“另存为 CSV”（UTF-8 或 GBK 编码均可）。
          </li>
          <li>必填列：机构名称、机构类型、县区代码。其余列可以省略，单元格也可以留空。</li>
          <li>机构类型填写“乡镇卫生院”或“社区卫生服务中心”；县区代码填写 6 位县级行政区划代码。</li>
          <li>数字列填写不带单位的数字；面积可以有小数，其余为整数。</li>
          <li>导入是“全部或全不”：只要有一行有问题，整个文件都不会导入，所有问题会连同行号一起列出。</li>
          <li>同一县（区）内机构名称不能重复，也不能与系统中已有的机构重名。</li>
        </ul>
        <table class="list">
          <thead>
            <tr>
              <th>列名</th>
              <th>说明</th>
            </tr>
          </thead>
          <tbody>
            {INSTITUTION_FIELDS.map((f) => (
              <tr>
                <td>{f.label}</td>
                <td>
                  {f.required ? '必填' : '选填'}
                  {f.type === 'integer' && `，整数${f.unit ? `（${f.unit}）` : ''}`}
                  {f.type === 'decimal' && `，数字，可有小数${f.unit ? `（${f.unit}）` : ''}`}
                  {f.type === 'kind' && '，乡镇卫生院 或 社区卫生服务中心'}
                  {f.type === 'county' && '，6 位县级行政区划代码'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

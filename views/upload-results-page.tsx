import type { IntakeOutcome } from '../src/documents/document-intake.ts';
import { Layout, type PageContext } from './layout.tsx';

export function UploadResultList(p: { results: IntakeOutcome[] }) {
  return (
    <ul class="upload-results">
      {p.results.map((r) => (
        // A duplicate reused an existing document: information, not an error.
        <li class={r.ok ? (r.duplicate ? 'ok duplicate' : 'ok') : 'error'}>
          <span class="result-mark" aria-hidden="true">
            {r.ok ? (r.duplicate ? 'ℹ' : '✓') : '✗'}
          </span>{' '}
          <strong>{r.fileName}</strong>：
          {r.ok ? (
            <>
              {r.message} <a href={`/documents/${r.documentId}`}>查看</a>
            </>
          ) : (
            <>未保存，{r.reason}</>
          )}
        </li>
      ))}
    </ul>
  );
}

export function UploadResultsPage(p: { ctx: PageContext; results: IntakeOutcome[]; back: string }) {
  const failed = p.results.filter((r) => !r.ok).length;
  const duplicates = p.results.filter((r) => r.ok && r.duplicate).length;
  return (
    <Layout ctx={p.ctx} title="上传结果">
      <h1>上传结果</h1>
      <p>
        共 {p.results.length} 个文件，成功 {p.results.length - failed} 个{duplicates ? `（其中 ${duplicates} 个为已有文件，未重复保存）` : ''}
        {failed ? `，失败 ${failed} 个` : ''}。
      </p>
      <UploadResultList results={p.results} />
      <p>
        <a href={p.back}>返回</a>
      </p>
    </Layout>
  );
}

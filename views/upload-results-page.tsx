import type { IntakeOutcome } from '../src/documents/document-intake.ts';
import { Layout, type PageContext } from './layout.tsx';

export function UploadResultList(p: { results: IntakeOutcome[] }) {
  return (
    <ul class="upload-results">
      {p.results.map((r) => (
        <li class={r.ok ? 'ok' : 'error'}>
          <strong>{r.fileName}</strong>：
          {r.ok ? (
            <>
              {r.message} <a href={`/documents/${r.documentId}`}>查看</a>
            </>
          ) : (
            r.reason
          )}
        </li>
      ))}
    </ul>
  );
}

export function UploadResultsPage(p: { ctx: PageContext; results: IntakeOutcome[]; back: string }) {
  const failed = p.results.filter((r) => !r.ok).length;
  return (
    <Layout ctx={p.ctx} title="上传结果">
      <h1>上传结果</h1>
      <p>
        共 {p.results.length} 个文件，成功 {p.results.length - failed} 个{failed ? `，失败 ${failed} 个` : ''}。
      </p>
      <UploadResultList results={p.results} />
      <p>
        <a href={p.back}>返回</a>
      </p>
    </Layout>
  );
}

// One upload request: stream to temp files, run intake per file, answer as JSON (app.js) or as a page.
// Each file succeeds or fails on its own; a broken request records nothing.
import path from 'node:path';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { UploadResultsPage } from '../../views/upload-results-page.tsx';
import { currentUser } from '../http/access.ts';
import { pageContext } from '../http/page-context.ts';
import { intakeFile, type IntakeOutcome, type IntakeTarget } from './document-intake.ts';
import { nodeRequestOf, receiveUpload, UploadAbortedError, UploadFormatError } from './receive-upload.ts';
import { enqueueDerivedFiles } from './derive-document.ts';

export async function handleUpload(
  c: Context,
  args: {
    institutionId: string;
    back: string;
    target?: (fields: Record<string, string>) => Promise<IntakeTarget | string>;
    /** Refuse a request with more than one file with this message (nothing is stored). */
    singleFile?: string;
  },
) {
  const { config, store } = c.get('deps');
  const wantsJson = (c.req.header('accept') ?? '').includes('application/json');
  let received;
  try {
    received = await receiveUpload(c.req.raw, {
      tmpDir: path.join(config.dataDir, 'tmp'),
      maxFileBytes: config.maxUploadBytes,
      nodeRequest: nodeRequestOf(c),
      flushWhileReceiving: store.kind === 'filesystem',
    });
  } catch (err) {
    if (err instanceof UploadAbortedError || err instanceof UploadFormatError) {
      if (wantsJson) return c.json({ error: err.message }, 400);
      throw new HTTPException(400, { message: err.message });
    }
    throw err;
  }
  try {
    if (received.files.length === 0) {
      const msg = '没有选择任何文件。';
      return wantsJson ? c.json({ error: msg }, 400) : c.html(<UploadResultsPage ctx={pageContext(c)} results={[]} back={args.back} />, 400);
    }
    if (args.singleFile && received.files.length > 1) {
      if (wantsJson) return c.json({ error: args.singleFile }, 400);
      throw new HTTPException(400, { message: args.singleFile });
    }
    const target = args.target ? await args.target(received.fields) : {};
    if (typeof target === 'string') {
      if (wantsJson) return c.json({ error: target }, 400);
      throw new HTTPException(400, { message: target });
    }
    const ctx = {
      db: c.get('db'),
      store,
      actorId: currentUser(c).id,
      institutionId: args.institutionId,
      maxFileBytes: config.maxUploadBytes,
      onVersionCreated: enqueueDerivedFiles,
    };
    const results: IntakeOutcome[] = [];
    // One at a time: bounded memory and CPU however many files a batch has.
    for (const file of received.files) results.push(await intakeFile(ctx, file, target));
    const status = results.every((r) => !r.ok) ? 400 : 200;
    if (wantsJson) return c.json({ results }, status);
    return c.html(<UploadResultsPage ctx={pageContext(c)} results={results} back={args.back} />, status);
  } finally {
    await received.cleanup();
  }
}

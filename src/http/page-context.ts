import type { Context } from 'hono';
import type { PageContext } from '../../views/layout.tsx';

export function pageContext(c: Context): PageContext {
  return { user: c.get('user'), csrfToken: c.get('csrfToken'), path: c.req.path };
}

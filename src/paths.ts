// Locations inside the project checkout (not the data directory).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const projectRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
export const standardsDir = path.join(projectRoot, 'standards');
export const publicDir = path.join(projectRoot, 'public');

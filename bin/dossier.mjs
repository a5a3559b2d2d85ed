#!/usr/bin/env node
// `dossier` command: runs the TypeScript CLI through tsx, so `npx dossier ...` works without a build step.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);

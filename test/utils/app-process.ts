import { resolve } from 'node:path';
import { NodeProcess } from './node-process.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** One of the built apps (`node dist/apps/<app>/main.js …`) as a child process, for end-to-end tests. */
export class AppProcess extends NodeProcess {
  constructor(app: 'api' | 'worker', args: string[], env: Record<string, string>) {
    super(resolve(ROOT, `dist/apps/${app}/main.js`), args, env, ROOT);
  }
}

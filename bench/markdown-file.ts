import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { ROOT_DIR } from './node-process.js';

/**
 * Writes a report under the repository (`path` relative to it), formatted as the repository's Prettier settings
 * format it, so that `prettier --check` stays clean.
 */
export async function writeMarkdown(path: string, markdown: string): Promise<void> {
  const file = resolve(ROOT_DIR, path);
  mkdirSync(dirname(file), { recursive: true });
  const config = await resolveConfig(file);
  writeFileSync(file, await format(markdown, { ...config, filepath: file }));
}

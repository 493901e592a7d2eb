// Reads every labs/<id>/meta.json from disk (the site reads the same files through Vite).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabMetas, type LabMeta } from '../../src/lib/labs.ts';

export function loadLabMetas(labsDir = 'labs'): LabMeta[] {
  if (!existsSync(labsDir)) return [];
  const files: Record<string, unknown> = {};
  for (const entry of readdirSync(labsDir, { withFileTypes: true })) {
    const file = join(labsDir, entry.name, 'meta.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    try {
      files[`/${file}`] = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file} is not valid JSON: ${(error as Error).message}. Fix the file.`);
    }
  }
  return parseLabMetas(files);
}

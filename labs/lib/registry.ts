// Finds the labs: every labs/<id>/ with a meta.json and a lab.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadLabMetas } from '../../scripts/lib/lab-metas.ts';
import type { LabMeta } from '../../src/lib/labs.ts';
import type { Lab } from './lab.ts';
import { UsageError } from './result.ts';

export const labsDir = new URL('..', import.meta.url).pathname;

export function listLabs(dir = labsDir): LabMeta[] {
  return loadLabMetas(dir);
}

export function findLabMeta(id: string, dir = labsDir): LabMeta {
  const labs = listLabs(dir);
  // `lab-2` is short for Lab 2; scenarios have their own numbers, so the short form is for labs only.
  const meta = labs.find((lab) => lab.id === id || (lab.kind === 'lab' && `lab-${lab.number}` === id));
  if (!meta) {
    const known = labs.map((lab) => lab.id).join(', ') || 'none yet';
    throw new UsageError(`Unknown lab "${id}". Labs: ${known}. See them with: npm run lab -- list`);
  }
  return meta;
}

export async function loadLab(meta: LabMeta, dir = labsDir): Promise<Lab> {
  const file = join(dir, meta.id, 'lab.ts');
  if (!existsSync(file)) throw new Error(`${file} is missing; labs/${meta.id}/meta.json names a lab without a script.`);
  const module = (await import(pathToFileURL(file).href)) as { default?: Lab };
  if (!module.default || module.default.id !== meta.id) {
    throw new Error(`${file} must \`export default defineLab({ id: '${meta.id}', ... })\`.`);
  }
  return module.default;
}

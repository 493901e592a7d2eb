// Static check of the labs folder: valid metadata, pages and scripts that link each other, and,
// for troubleshooting labs, no cause words in what the learner sees (labs/lib/conceal.ts).
import { join } from 'node:path';
import { loadLabMetas } from './lib/lab-metas.ts';
import { checkLabLinks } from './lib/lab-links.ts';
import { concealProblems, troubleshootingProblems } from '../labs/lib/conceal.ts';
import { loadLab } from '../labs/lib/registry.ts';

try {
  const labs = loadLabMetas('labs');
  const problems = checkLabLinks('.', labs);
  for (const meta of labs) {
    const lab = await loadLab(meta);
    problems.push(...concealProblems(lab, join('labs', meta.id)));
    if (meta.troubleshooting) problems.push(...troubleshootingProblems(lab));
  }
  if (problems.length > 0) {
    console.error(`check-labs: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`check-labs: ${labs.length} lab(s), metadata valid, pages and scripts link each other, no cause words in what learners see`);
} catch (error) {
  console.error(`check-labs: ${(error as Error).message}`);
  process.exit(1);
}

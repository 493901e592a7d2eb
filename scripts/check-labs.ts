// Static check of the labs folder: valid metadata, and pages and scripts that link each other.
import { loadLabMetas } from './lib/lab-metas.ts';
import { checkLabLinks } from './lib/lab-links.ts';

try {
  const labs = loadLabMetas('labs');
  const problems = checkLabLinks('.', labs);
  if (problems.length > 0) {
    console.error(`check-labs: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`check-labs: ${labs.length} lab(s), metadata valid, pages and scripts link each other`);
} catch (error) {
  console.error(`check-labs: ${(error as Error).message}`);
  process.exit(1);
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReports } from './lab-reports.ts';

describe('parseReports', () => {
  it('reads a report with skipped steps (images not available where it was measured)', () => {
    const file = 'labs/lab-1-container-monitoring/solvability.docker.json';
    const [report] = parseReports({ [file]: JSON.parse(readFileSync(file, 'utf8')) });
    expect(report!.runs[0]!.steps.map((s) => s.status)).toContain('SKIP');
  });
  it('names the file of a malformed report', () => {
    expect(() => parseReports({ 'x/solvability.docker.json': { lab: 'x' } })).toThrow(/x\/solvability\.docker\.json is not a valid solvability report/);
  });
});

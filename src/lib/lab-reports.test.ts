import { describe, expect, it } from 'vitest';
import { parseReports, reportOutcome } from './lab-reports.ts';

const step = (name: string, status: string) => ({ step: name, target: 'docker', status, phase: status === 'SKIP' ? 'images' : 'done', detail: '', setupSeconds: 0, solveSeconds: 0 });
const report = (statuses: string[], passed = true) => ({
  lab: 'lab-x',
  target: 'docker',
  measuredAt: '2026-11-25T17:52:04.231Z',
  environment: { dockerEngine: '20.10.24+dfsg1' },
  runs: [{ run: 1, steps: statuses.map((s, i) => step(`step-${i}`, s)), cleanup: 'PASS', cleanupDetail: 'nothing labelled left', seconds: 1 }],
  passed,
});

describe('solvability reports on the lab pages', () => {
  it('accept steps skipped for want of an image, and say so', () => {
    const [all, some, none] = parseReports({ a: report(['SKIP', 'SKIP']), b: report(['PASS', 'SKIP']), c: report(['PASS', 'PASS']) });
    expect(reportOutcome(all!)).toBe('every step was skipped there, because its images cannot be had on that machine');
    expect(reportOutcome(some!)).toBe('every step that could run passed; 1 of 2 were skipped there, because their images cannot be had on that machine');
    expect(reportOutcome(none!)).toBe('every step passed');
    expect(reportOutcome(parseReports({ d: report(['PASS', 'FAIL'], false) })[0]!)).toBe('not every step passed');
  });

  it('reject an unknown status by file name', () => {
    expect(() => parseReports({ '/labs/x/solvability.docker.json': report(['MAYBE']) })).toThrow(/solvability\.docker\.json is not a valid solvability report \(runs\.0\.steps\.0\.status/);
  });
});

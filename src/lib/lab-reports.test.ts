import { describe, expect, it } from 'vitest';
import { describeEnvironment, parseReports, reportOutcome, stepResult, stepSeconds } from './lab-reports.ts';

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

describe('describeEnvironment', () => {
  it('says in words what docker info and the runtime recorded', () => {
    expect(describeEnvironment({ dockerEngine: '20.10.24+dfsg1', cgroupVersion: '1', cgroupDriver: 'cgroupfs', node: 'v24.21.0', imageMirror: 'module9.local' })).toBe(
      'Docker Engine 20.10.24+dfsg1, cgroup v1 with the cgroupfs driver, Node.js 24.21.0, images built locally (module9.local)',
    );
    expect(describeEnvironment({ kubeContext: 'kind-module9', node: 'v24.21.0', imageMirror: 'registry.example.internal/m9' })).toBe(
      'kube context kind-module9, Node.js 24.21.0, images from the mirror registry.example.internal/m9',
    );
  });
  it('keeps a key it does not know, as recorded', () => {
    expect(describeEnvironment({ node: 'v24.21.0', runner: 'ubuntu-24.04' })).toBe('Node.js 24.21.0, runner ubuntu-24.04');
  });
});

describe('stepSeconds', () => {
  const [measured] = parseReports({ a: { ...report(['PASS', 'SKIP']), runs: [0, 1].map((i) => ({ run: i + 1, steps: [{ ...step('step-0', 'PASS'), setupSeconds: 1.5 + i, solveSeconds: 2 }, step('step-1', 'SKIP')], cleanup: 'PASS', cleanupDetail: '', seconds: 4 })) } });
  it('gives each run its own seconds', () => {
    expect(stepSeconds(measured!, 0, 'step-0', 'setupSeconds')).toBe('1.5');
    expect(stepSeconds(measured!, 1, 'step-0', 'setupSeconds')).toBe('2.5');
  });
  it('says a skipped step did not run, rather than 0 seconds', () => {
    expect(stepSeconds(measured!, 0, 'step-1', 'solveSeconds')).toBe('not run');
  });
  it('gives one result when the runs agree, and each result once when they do not', () => {
    expect(stepResult(measured!, 'step-0')).toBe('PASS');
    expect(stepResult(measured!, 'step-1')).toBe('skipped: its images are not available there');
    const [mixed] = parseReports({ b: { ...report(['PASS']), runs: [{ run: 1, steps: [step('step-0', 'PASS')], cleanup: 'PASS', cleanupDetail: '', seconds: 1 }, { run: 2, steps: [step('step-0', 'FAIL')], cleanup: 'PASS', cleanupDetail: '', seconds: 1 }] } });
    expect(stepResult(mixed!, 'step-0')).toBe('PASS, FAIL');
  });
  it('marks a step missing from a run', () => {
    expect(stepSeconds(measured!, 3, 'step-0', 'solveSeconds')).toBe('–');
  });
});

// The solvability proof for a lab, per target: doctor, then for each step: setup, setup again
// (idempotent), the symptom holds, the check fails with the declared code (or passes, for an
// observation step), every cheat still fails, solve, the check passes. Then cleanup, and
// nothing labelled may be left. The whole run happens twice, from scratch.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Step, StepContext, Target } from './lab.ts';
import { formatResult } from './result.ts';
import { cleanupLab, leftovers, openSession, stepsFor, type RunOptions } from './runner.ts';
import { labsDir } from './registry.ts';
import { missingStepImages } from './images.ts';
import { memoryAnswers } from './state.ts';

export interface StepReport {
  step: string;
  target: Target;
  /** SKIP: the step's images cannot be had on this machine (the detail says which and why). */
  status: 'PASS' | 'FAIL' | 'ERROR' | 'SKIP';
  /** The phase that failed, or 'done'. */
  phase: string;
  detail: string;
  setupSeconds: number;
  solveSeconds: number;
}

export interface RunReport {
  run: number;
  steps: StepReport[];
  cleanup: 'PASS' | 'FAIL';
  cleanupDetail: string;
  seconds: number;
}

export interface LabReport {
  lab: string;
  target: Target;
  measuredAt: string;
  environment: Record<string, string>;
  runs: RunReport[];
  passed: boolean;
}

const seconds = (from: number) => Math.round((performance.now() - from) / 100) / 10;

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return seconds(started);
}

/** Runs the protocol for one step; throws an Error whose message names the phase. */
export async function proveStep(step: Step, ctx: StepContext): Promise<{ setupSeconds: number; solveSeconds: number }> {
  const phase = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (cause) {
      throw Object.assign(new Error((cause as Error).message), { phase: name });
    }
  };
  const setupSeconds = await phase('setup', () => timed(() => step.setup(ctx)));
  await phase('setup again (idempotency)', () => step.setup(ctx));
  if (step.symptom) {
    const symptom = await phase('symptom', () => step.symptom!(ctx));
    if (symptom.status !== 'pass') throw Object.assign(new Error(`the symptom does not show: ${formatResult(symptom)}`), { phase: 'symptom' });
  }
  const before = await phase('check before solve', () => step.check(ctx));
  if ('failsWith' in step.expected) {
    if (before.status !== 'fail' || before.code !== step.expected.failsWith) {
      throw Object.assign(new Error(`expected the check to fail with "${step.expected.failsWith}", got ${formatResult(before)}`), { phase: 'check before solve' });
    }
  } else if (before.status !== 'pass') {
    throw Object.assign(new Error(`observation step: expected a pass, got ${formatResult(before)}`), { phase: 'check before solve' });
  }
  for (const cheat of step.cheats ?? []) {
    await phase(`cheat: ${cheat.name}`, () => cheat.apply(ctx));
    const result = await phase(`cheat: ${cheat.name}`, () => step.check(ctx));
    if (result.status !== 'fail') throw Object.assign(new Error(`the wrong fix "${cheat.name}" was not caught: ${formatResult(result)}`), { phase: `cheat: ${cheat.name}` });
    // A wrong answer leaves the environment as it was: forget it instead of setting up again.
    if (cheat.answerOnly) ctx.answers.clear(step.id);
    else await phase('setup after cheat', () => step.setup(ctx));
  }
  const solveSeconds = await phase('solve', () => timed(() => step.solve(ctx)));
  const after = await phase('check after solve', () => step.check(ctx));
  if (after.status !== 'pass') throw Object.assign(new Error(`the check does not pass after solve: ${formatResult(after)}`), { phase: 'check after solve' });
  return { setupSeconds, solveSeconds };
}

export async function proveLab(labId: string, target: Target, options: RunOptions, runs = 2): Promise<LabReport> {
  const session = await openSession(labId, { ...options, target, answers: memoryAnswers() });
  const steps = stepsFor(session.lab, target);
  const environment: Record<string, string> = {};
  if (steps[0]) {
    const ctx = await session.contextFor(steps[0]);
    if (target === 'docker') {
      const info = await ctx.shell.run('docker', ['info', '--format', '{{.ServerVersion}} {{.CgroupVersion}} {{.CgroupDriver}}'], { quiet: true });
      const [engine, cgroup, driver] = info.stdout.trim().split(' ');
      Object.assign(environment, { dockerEngine: engine ?? '', cgroupVersion: cgroup ?? '', cgroupDriver: driver ?? '' });
    } else if (ctx.kube) {
      environment.kubeContext = ctx.kube.context;
    }
    environment.node = process.version;
    if (process.env.LAB_IMAGE_MIRROR) environment.imageMirror = process.env.LAB_IMAGE_MIRROR;
  }
  const report: LabReport = { lab: session.lab.id, target, measuredAt: new Date().toISOString(), environment, runs: [], passed: true };
  for (let run = 1; run <= runs; run += 1) {
    const started = performance.now();
    const stepReports: StepReport[] = [];
    await cleanupLab(session);
    for (const step of steps) {
      const ctx = await session.contextFor(step);
      options.print(`\n--- ${session.lab.id} run ${run}: ${step.id} (${step.target})`);
      const missing = target === 'docker' ? await missingStepImages(ctx, step) : null;
      if (missing) {
        options.print(`skipped: ${session.lab.id}/${step.id} (${target}): ${missing}`);
        stepReports.push({ step: step.id, target, status: 'SKIP', phase: 'images', detail: missing, setupSeconds: 0, solveSeconds: 0 });
        continue;
      }
      try {
        const times = await proveStep(step, ctx);
        stepReports.push({ step: step.id, target, status: 'PASS', phase: 'done', detail: '', ...times });
      } catch (cause) {
        const phase = (cause as { phase?: string }).phase ?? 'unknown';
        const isEnv = (cause as Error).name === 'EnvironmentError';
        stepReports.push({ step: step.id, target, status: isEnv ? 'ERROR' : 'FAIL', phase, detail: (cause as Error).message, setupSeconds: 0, solveSeconds: 0 });
        report.passed = false;
      }
    }
    await cleanupLab(session);
    const left = await leftovers(session, target);
    if (left.length > 0) report.passed = false;
    report.runs.push({
      run,
      steps: stepReports,
      cleanup: left.length === 0 ? 'PASS' : 'FAIL',
      cleanupDetail: left.length === 0 ? 'nothing labelled left' : `left behind: ${left.join(', ')}`,
      seconds: seconds(started),
    });
  }
  return report;
}

export function formatReport(report: LabReport): string {
  const lines = [`\n${report.lab} on ${report.target}: ${report.passed ? 'PASS' : 'FAIL'}`, '| run | step | result | phase | setup s | solve s |', '| --- | --- | --- | --- | ---: | ---: |'];
  for (const run of report.runs) {
    for (const s of run.steps) lines.push(`| ${run.run} | ${s.step} | ${s.status} | ${s.phase} | ${s.setupSeconds} | ${s.solveSeconds} |`);
    lines.push(`| ${run.run} | (cleanup) | ${run.cleanup} | ${run.cleanupDetail} | | |`);
  }
  for (const run of report.runs) for (const s of run.steps) if (s.status === 'FAIL' || s.status === 'ERROR') lines.push(`  run ${run.run} ${s.step} [${s.phase}]: ${s.detail}`);
  for (const s of skippedSteps(report)) lines.push(`skipped: ${report.lab}/${s.step} (${report.target}): ${s.detail}`);
  lines.push(`total: ${report.runs.map((r) => `run ${r.run} ${r.seconds}s`).join(', ')}`);
  return lines.join('\n');
}

export function reportPath(labId: string, target: Target): string {
  return join(labsDir, labId, `solvability.${target}.json`);
}

export function writeReport(report: LabReport): string {
  const file = reportPath(report.lab, report.target);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** The steps skipped in the last run (the same in every run: skips come from missing images). */
export function skippedSteps(report: LabReport): StepReport[] {
  return report.runs.at(-1)?.steps.filter((s) => s.status === 'SKIP') ?? [];
}

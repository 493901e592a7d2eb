// The learner verbs: start, check, hint, solve, status, reset, cleanup. Each loads the lab,
// builds a step context for the step's target, and keeps progress in the state file.
import type { LabMeta } from '../../src/lib/labs.ts';
import { createDockerClient } from './docker.ts';
import { createKubeClient, deleteLabObjects, ensureLabNamespace, listLabObjects, resolveContext } from './kube.ts';
import { hintsFor, type Lab, type Step, type StepContext, type Target } from './lab.ts';
import { findLabMeta, loadLab } from './registry.ts';
import { EnvironmentError, formatResult, UsageError, type CheckResult } from './result.ts';
import { createShell, type Printer } from './shell.ts';
import { fileAnswers, loadState, saveState, stepProgress, type LabProgress, type LabState } from './state.ts';
import type { AnswerStore } from './lab.ts';
import { ensureStepImages } from './images.ts';

export interface RunOptions {
  print: Printer;
  context?: string;
  confirmContext: boolean;
  target?: Target;
  stateDir?: string;
  /** Where diagnose answers live; the state file unless given (lab test passes memory). */
  answers?: AnswerStore;
}

export interface Session {
  meta: LabMeta;
  lab: Lab;
  options: RunOptions;
  contextFor(step: Step): Promise<StepContext>;
}

export async function openSession(labId: string, options: RunOptions): Promise<Session> {
  const meta = findLabMeta(labId);
  const lab = await loadLab(meta);
  const shell = createShell(options.print);
  const docker = createDockerClient(shell);
  const contexts = new Map<Target, StepContext>();
  return {
    meta,
    lab,
    options,
    async contextFor(step) {
      const cached = contexts.get(step.target);
      if (cached) return cached;
      const answers = options.answers ?? fileAnswers(lab.id, options.stateDir);
      const base: StepContext = { labId: lab.id, shell, docker, answers, print: options.print };
      let ctx = base;
      if (step.target === 'docker') {
        await docker.ensureEngine();
      } else {
        const context = await resolveContext(shell, options.context, options.confirmContext, options.print);
        const kube = createKubeClient(shell, context, lab.id);
        await ensureLabNamespace(kube, lab.id);
        ctx = { ...base, kube };
      }
      contexts.set(step.target, ctx);
      return ctx;
    },
  };
}

export function stepsFor(lab: Lab, target?: Target): Step[] {
  return target ? lab.steps.filter((step) => step.target === target) : lab.steps;
}

export function findStep(lab: Lab, stepId: string, target?: Target): Step {
  const steps = stepsFor(lab, target);
  const step = steps.find((s) => s.id === stepId);
  if (!step) {
    throw new UsageError(`Lab ${lab.id} has no step "${stepId}"${target ? ` for target ${target}` : ''}. Steps: ${steps.map((s) => s.id).join(', ')}.`);
  }
  return step;
}

function describeStep(lab: Lab, step: Step, print: Printer, steps: Step[]): void {
  print(`\n[${lab.id}] step ${steps.indexOf(step) + 1}/${steps.length}: ${step.title} (${step.target})`);
  print(step.goal);
  if (!step.question) print(`When you think you are done: npm run lab -- check`);
}

/** Removes everything the lab created: labelled Docker objects, and labelled namespaces on its cluster. */
export async function cleanupLab(session: Session): Promise<void> {
  const { lab, options } = session;
  const targets = options.target ? [options.target] : [...new Set(lab.steps.map((s) => s.target))];
  for (const target of targets) {
    const step = lab.steps.find((s) => s.target === target)!;
    let ctx: StepContext;
    try {
      ctx = await session.contextFor(step);
    } catch (cause) {
      // Nothing can be left on a target that is not there (no engine, no lab cluster).
      if (!(cause instanceof EnvironmentError)) throw cause;
      options.print(`[${lab.id}] ${target} part: nothing to clean up (${cause.message})`);
      continue;
    }
    if (target === 'docker') await ctx.docker.removeLabelled(lab.id);
    else if (ctx.kube) await deleteLabObjects(ctx.kube, lab.id);
  }
  options.print(`[${lab.id}] cleaned up`);
}

/** What the lab left behind (empty after a clean cleanup). */
export async function leftovers(session: Session, target: Target): Promise<string[]> {
  const step = session.lab.steps.find((s) => s.target === target);
  if (!step) return [];
  const ctx = await session.contextFor(step);
  if (target === 'docker') return ctx.docker.listLabelled(session.lab.id);
  return ctx.kube ? listLabObjects(ctx.kube, session.lab.id) : [];
}

function activeProgress(state: LabState, labId: string | undefined): { labId: string; progress: LabProgress } {
  const id = labId ?? state.activeLab;
  if (!id) throw new UsageError('No lab is started. Start one with: npm run lab -- start <lab> (see npm run lab -- list)');
  const progress = state.labs[id];
  if (!progress) throw new UsageError(`${id} is not started. Start it with: npm run lab -- start ${id}`);
  return { labId: id, progress };
}

export async function startLab(labId: string, from: string | undefined, options: RunOptions): Promise<void> {
  const session = await openSession(labId, options);
  const steps = stepsFor(session.lab, options.target);
  if (steps.length === 0) throw new UsageError(`Lab ${session.lab.id} has no ${options.target} steps.`);
  const step = from ? findStep(session.lab, from, options.target) : steps[0]!;
  const ctx = await session.contextFor(step);
  await ensureStepImages(ctx, step);
  await step.setup(ctx);
  const state = loadState(options.stateDir);
  state.activeLab = session.lab.id;
  state.labs[session.lab.id] = { startedAt: new Date().toISOString(), target: options.target, currentStep: step.id, steps: {} };
  saveState(state, options.stateDir);
  describeStep(session.lab, step, options.print, steps);
}

async function advance(session: Session, progress: LabProgress, step: Step): Promise<void> {
  const steps = stepsFor(session.lab, progress.target as Target | undefined);
  const next = steps[steps.indexOf(step) + 1];
  progress.currentStep = next?.id ?? null;
  if (!next) {
    session.options.print(`\n[${session.lab.id}] all steps done. Clean up with: npm run lab -- reset ${session.lab.id}`);
    return;
  }
  const ctx = await session.contextFor(next);
  await ensureStepImages(ctx, next);
  await next.setup(ctx);
  describeStep(session.lab, next, session.options.print, steps);
}

/** Returns the check result of the current step; advances when it passes. */
export async function checkLab(labId: string | undefined, options: RunOptions): Promise<CheckResult> {
  const state = loadState(options.stateDir);
  const { labId: id, progress } = activeProgress(state, labId);
  if (!progress.currentStep) throw new UsageError(`${id} is complete. Start again with: npm run lab -- start ${id}`);
  const session = await openSession(id, { ...options, target: progress.target as Target | undefined });
  const step = findStep(session.lab, progress.currentStep);
  const result = await step.check(await session.contextFor(step));
  options.print(formatResult(result));
  const sp = stepProgress(progress, step.id);
  if (result.status === 'fail') sp.lastFailure = result.code;
  if (result.status === 'pass') {
    sp.solvedBy ??= 'learner';
    await advance(session, progress, step);
  } else if (result.status === 'fail') {
    options.print(`Stuck? npm run lab -- hint`);
  }
  saveState(state, options.stateDir);
  return result;
}

/** Records the learner's answer to the current diagnose step, then checks it. */
export async function answerLab(text: string, options: RunOptions): Promise<CheckResult> {
  const state = loadState(options.stateDir);
  const { labId: id, progress } = activeProgress(state, undefined);
  if (!progress.currentStep) throw new UsageError(`${id} is complete; there is nothing to answer.`);
  const session = await openSession(id, { ...options, target: progress.target as Target | undefined });
  const step = findStep(session.lab, progress.currentStep);
  if (!step.question) throw new UsageError(`Step ${step.id} asks for a fix, not an answer. When you have fixed it: npm run lab -- check`);
  if (text.trim() === '') throw new UsageError(`Give an answer: npm run lab -- answer "<your answer>". The question: ${step.question}`);
  const ctx = await session.contextFor(step);
  ctx.answers.set(step.id, text);
  return checkLab(id, options);
}

export async function hintLab(labId: string | undefined, options: RunOptions): Promise<void> {
  const state = loadState(options.stateDir);
  const { labId: id, progress } = activeProgress(state, labId);
  if (!progress.currentStep) throw new UsageError(`${id} is complete; there is nothing to hint.`);
  const session = await openSession(id, options);
  const step = findStep(session.lab, progress.currentStep);
  const sp = stepProgress(progress, step.id);
  const hints = hintsFor(step, sp.lastFailure);
  if (sp.hintsUsed >= hints.length) {
    options.print(`No more hints for this step. To see a solution: npm run lab -- solve (it prints every command it runs).`);
  } else {
    sp.hintsUsed += 1;
    options.print(`Hint ${sp.hintsUsed}/${hints.length}: ${hints[sp.hintsUsed - 1]}`);
  }
  saveState(state, options.stateDir);
}

export async function solveLab(labId: string | undefined, options: RunOptions): Promise<void> {
  const state = loadState(options.stateDir);
  const { labId: id, progress } = activeProgress(state, labId);
  if (!progress.currentStep) throw new UsageError(`${id} is complete; there is nothing to solve.`);
  const session = await openSession(id, { ...options, target: progress.target as Target | undefined });
  const step = findStep(session.lab, progress.currentStep);
  const ctx = await session.contextFor(step);
  await step.solve(ctx);
  const result = await step.check(ctx);
  if (result.status !== 'pass') throw new Error(`solve for ${id}/${step.id} did not make its check pass: ${formatResult(result)}`);
  options.print(formatResult(result));
  stepProgress(progress, step.id).solvedBy = 'solve';
  await advance(session, progress, step);
  saveState(state, options.stateDir);
}

export async function statusLab(labId: string | undefined, options: RunOptions): Promise<void> {
  const state = loadState(options.stateDir);
  const { labId: id, progress } = activeProgress(state, labId);
  const meta = findLabMeta(id);
  const lab = await loadLab(meta);
  options.print(`${id}: started ${progress.startedAt}${progress.target ? `, target ${progress.target}` : ''}`);
  for (const step of stepsFor(lab, progress.target as Target | undefined)) {
    const sp = progress.steps[step.id];
    const mark = sp?.solvedBy === 'learner' ? 'done (by you)' : sp?.solvedBy === 'solve' ? 'done (by solve)' : step.id === progress.currentStep ? 'current' : 'to do';
    options.print(`  ${mark.padEnd(16)} ${step.id}: ${step.title}${sp?.hintsUsed ? ` (${sp.hintsUsed} hint${sp.hintsUsed > 1 ? 's' : ''})` : ''}`);
  }
}

export async function resetLab(labId: string | undefined, options: RunOptions): Promise<void> {
  const state = loadState(options.stateDir);
  const id = labId ?? state.activeLab;
  if (!id) throw new UsageError('Name the lab to reset: npm run lab -- reset <lab>');
  const session = await openSession(id, options);
  await cleanupLab(session);
  delete state.labs[session.lab.id];
  if (state.activeLab === session.lab.id) state.activeLab = null;
  saveState(state, options.stateDir);
}

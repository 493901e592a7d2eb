// Learner progress, kept outside the repository: $LAB_STATE_DIR, else
// $XDG_STATE_HOME/module9-labs, else ~/.local/state/module9-labs.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface StepProgress {
  solvedBy?: 'learner' | 'solve';
  hintsUsed: number;
  lastFailure?: string;
  /** The learner's answer to a diagnose step. */
  answer?: string;
}

export interface LabProgress {
  startedAt: string;
  target?: string;
  currentStep: string | null;
  steps: Record<string, StepProgress>;
}

export interface LabState {
  activeLab: string | null;
  labs: Record<string, LabProgress>;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_STATE_DIR) return env.LAB_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'module9-labs');
}

export function loadState(dir = stateDir()): LabState {
  const file = join(dir, 'state.json');
  if (!existsSync(file)) return { activeLab: null, labs: {} };
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch {
    throw new Error(`${file} is not valid JSON. Delete it to start over (your lab progress is only bookkeeping).`);
  }
}

export function saveState(state: LabState, dir = stateDir()): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'state.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function stepProgress(progress: LabProgress, stepId: string): StepProgress {
  progress.steps[stepId] ??= { hintsUsed: 0 };
  return progress.steps[stepId];
}

/** Answers kept in memory: what `lab test` uses, so a proof never touches learner progress. */
export function memoryAnswers(): import('./lab.ts').AnswerStore {
  const answers = new Map<string, string>();
  return {
    get: (stepId) => answers.get(stepId),
    set: (stepId, value) => void answers.set(stepId, value),
    clear: (stepId) => void answers.delete(stepId),
  };
}

/** Answers kept in the state file, for the active lab's learner. */
export function fileAnswers(labId: string, dir = stateDir()): import('./lab.ts').AnswerStore {
  const withProgress = (change: (progress: LabProgress) => string | undefined, save: boolean) => {
    const state = loadState(dir);
    const progress = state.labs[labId];
    if (!progress) return undefined;
    const value = change(progress);
    if (save) saveState(state, dir);
    return value;
  };
  return {
    get: (stepId) => withProgress((p) => p.steps[stepId]?.answer, false),
    set: (stepId, value) => void withProgress((p) => ((stepProgress(p, stepId).answer = value), undefined), true),
    clear: (stepId) => void withProgress((p) => (p.steps[stepId] ? (delete p.steps[stepId].answer, undefined) : undefined), true),
  };
}

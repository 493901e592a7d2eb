// The shape of a lab: an ordered list of steps, each with setup, check, hints, solve and an
// expected starting state. Lab modules call defineLab() so mistakes in that shape are caught
// when the lab loads, with the lab and step named.
import type { CheckResult } from './result.ts';
import type { DockerClient } from './docker.ts';
import type { KubeClient } from './kube.ts';
import type { Printer, Shell } from './shell.ts';
import type { ImageName } from '../images.ts';

export type Target = 'docker' | 'kind';

/** The learner's answers to diagnose steps (state file for the CLI, memory for `lab test`). */
export interface AnswerStore {
  get(stepId: string): string | undefined;
  set(stepId: string, value: string): void;
  clear(stepId: string): void;
}

export interface StepContext {
  labId: string;
  answers: AnswerStore;
  shell: Shell;
  docker: DockerClient;
  /** Present only for kind steps, bound to the allowed context and the lab's namespace. */
  kube?: KubeClient;
  print: Printer;
}

export interface Cheat {
  /** What the wrong fix does, e.g. "removes the memory limit". */
  name: string;
  apply: (ctx: StepContext) => Promise<void>;
  /** True when the cheat changes nothing outside the lab's answers (a wrong diagnosis): no setup is needed after it. */
  answerOnly?: boolean;
}

export interface Step {
  id: string;
  title: string;
  target: Target;
  /** What the learner is asked to do, shown by `start` and `status`. */
  goal: string;
  /** Brings the environment to this step's starting state. Idempotent; waits for any fault to show. */
  setup: (ctx: StepContext) => Promise<void>;
  /** Reads real state, read-only, with a bounded wait. */
  check: (ctx: StepContext) => Promise<CheckResult>;
  /** What the check must report right after setup: a failure code, or a pass with the reason. */
  expected: { failsWith: string } | { passesBecause: string };
  /** Hints by failure code, revealed in order; `default` serves any other code. */
  hints: Record<string, string[]>;
  /** Does the step for the learner; throws on any failed command. */
  solve: (ctx: StepContext) => Promise<void>;
  /** For troubleshooting steps: asserts the symptom the page tells the learner to look for. */
  symptom?: (ctx: StepContext) => Promise<CheckResult>;
  /** Wrong fixes that must not make the check pass. */
  cheats?: Cheat[];
  /**
   * For diagnose steps: the question the learner answers with `npm run lab -- answer "<text>"`.
   * Build such steps with defineDiagnosis() (lib/diagnose.ts).
   */
  question?: string;
  /**
   * Images the step runs. When one can be neither found locally nor pulled (no registry and no
   * local build), `lab test` reports the step as skipped with the reason, and `start` says
   * what to do.
   */
  images?: ImageName[];
  /**
   * For troubleshooting steps: words that name the cause, and every name the learner sees
   * (containers, Pods, Services, labels, images) plus fixture files shown to them. The static
   * check (scripts/check-labs.ts) fails when a cause word appears in a name or a comment.
   */
  conceal?: { causeWords: string[]; names: string[]; files?: string[] };
}

export interface Lab {
  id: string;
  steps: Step[];
}

export function defineLab(lab: Lab): Lab {
  const problems: string[] = [];
  const ids = new Set<string>();
  if (lab.steps.length === 0) problems.push('it has no steps');
  for (const step of lab.steps) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(step.id)) problems.push(`step id "${step.id}" is not lowercase-with-hyphens`);
    if (ids.has(step.id)) problems.push(`step id "${step.id}" is used twice`);
    ids.add(step.id);
    if (!step.hints.default?.length) problems.push(`step "${step.id}" has no default hints`);
    if ('failsWith' in step.expected && !(step.expected.failsWith in step.hints) && !step.hints.default?.length) {
      problems.push(`step "${step.id}" has no hints for its expected failure "${step.expected.failsWith}"`);
    }
  }
  if (problems.length > 0) throw new Error(`Lab "${lab.id}" is not well formed: ${problems.join('; ')}.`);
  return lab;
}

/** The hints for a failure code: its own first, then the default ones. */
export function hintsFor(step: Step, code: string | undefined): string[] {
  const own = code && code !== 'default' ? (step.hints[code] ?? []) : [];
  return [...own, ...(step.hints.default ?? [])];
}

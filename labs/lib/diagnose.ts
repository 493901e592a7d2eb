// Diagnose steps: before a fix, the learner names the cause (which container, which resource,
// which setting) with `npm run lab -- answer "<text>"`. The accepted answers are derived from
// live state each time the check runs (e.g. the one container whose State.OOMKilled is true),
// never from a fixed string, so the step stays true to what setup actually broke.
import type { Cheat, Step, StepContext, Target } from './lab.ts';
import { error, fail, pass, type CheckResult } from './result.ts';

export interface Diagnosis {
  id: string;
  title: string;
  target: Target;
  /** Asked by `start`/`status` and in the failure message, e.g. "Which container is being OOM killed?". */
  question: string;
  /** Brings the broken system up (usually the same setup as the fix step that follows). */
  setup: (ctx: StepContext) => Promise<void>;
  symptom?: (ctx: StepContext) => Promise<CheckResult>;
  /**
   * The accepted answers, read from live state. The first is what solve answers. Return an
   * empty list when the state does not show the fault (the check then reports `error`).
   */
  truth: (ctx: StepContext) => Promise<string[]>;
  /** Plausible wrong answers; each is a cheat that must fail. */
  wrongAnswers: string[];
  hints: Record<string, string[]>;
  conceal?: Step['conceal'];
  images?: Step['images'];
}

/** Lower case, single spaces, no surrounding quotes or trailing full stop. */
export function normaliseAnswer(text: string): string {
  return text
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/\.$/, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

export function answerMatches(answer: string, accepted: string[]): boolean {
  const given = normaliseAnswer(answer);
  return given.length > 0 && accepted.some((truth) => normaliseAnswer(truth) === given);
}

export function defineDiagnosis(d: Diagnosis): Step {
  const cheats: Cheat[] = d.wrongAnswers.map((wrong) => ({
    name: `answers "${wrong}"`,
    apply: async (ctx) => ctx.answers.set(d.id, wrong),
    answerOnly: true,
  }));
  return {
    id: d.id,
    title: d.title,
    target: d.target,
    goal: `${d.question}\nInvestigate, then answer with: npm run lab -- answer "<your answer>"`,
    question: d.question,
    async setup(ctx) {
      ctx.answers.clear(d.id);
      await d.setup(ctx);
    },
    async check(ctx) {
      const answer = ctx.answers.get(d.id);
      if (answer === undefined) return fail('no-answer', `No answer yet. ${d.question} Answer with: npm run lab -- answer "<your answer>"`);
      const accepted = await d.truth(ctx);
      if (accepted.length === 0) {
        return error('The live state no longer shows the fault this step asks about.', `Set the step up again: npm run lab -- start ${ctx.labId} --from ${d.id}`);
      }
      return answerMatches(answer, accepted)
        ? pass(`"${answer}" is right: the live state agrees`)
        : fail('wrong-answer', `"${answer}" is not the cause. Look again at the evidence, then answer again.`);
    },
    expected: { failsWith: 'no-answer' },
    hints: d.hints,
    async solve(ctx) {
      const accepted = await d.truth(ctx);
      if (accepted.length === 0) throw new Error(`${d.id}: the live state does not show the fault, so there is no answer to give`);
      ctx.print(`$ npm run lab -- answer "${accepted[0]}"`);
      ctx.answers.set(d.id, accepted[0]!);
    },
    symptom: d.symptom,
    cheats,
    conceal: d.conceal,
    images: d.images,
  };
}

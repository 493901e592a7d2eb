import { describe, expect, it } from 'vitest';
import { answerMatches, defineDiagnosis, normaliseAnswer } from './diagnose.ts';
import type { StepContext } from './lab.ts';
import { memoryAnswers } from './state.ts';

describe('normaliseAnswer', () => {
  it('ignores case, quotes, spacing and a trailing full stop', () => {
    expect(normaliseAnswer('  "Orders  API." ')).toBe('orders api');
  });
});

describe('answerMatches', () => {
  it('accepts any of the accepted answers, and nothing else', () => {
    expect(answerMatches('m9-orders', ['m9-orders', 'orders'])).toBe(true);
    expect(answerMatches('ORDERS', ['m9-orders', 'orders'])).toBe(true);
    expect(answerMatches('orders payments', ['orders'])).toBe(false);
    expect(answerMatches('   ', [''])).toBe(false);
  });
});

describe('defineDiagnosis', () => {
  // The "live state": which container the fault is in, changeable by the test.
  let faulty: string | null = 'm9-ledger';
  const step = defineDiagnosis({
    id: 'which-service',
    title: 'Which service restarts?',
    target: 'docker',
    question: 'Which container keeps restarting?',
    setup: async () => {},
    truth: async () => (faulty ? [faulty, faulty.replace('m9-', '')] : []),
    wrongAnswers: ['m9-web'],
    hints: { default: ['Look at the restart counts.'] },
  });
  const ctx = { labId: 'lab-x', answers: memoryAnswers(), print: () => {} } as unknown as StepContext;

  it('fails with no-answer until the learner answers', async () => {
    await step.setup(ctx);
    expect(await step.check(ctx)).toMatchObject({ status: 'fail', code: 'no-answer' });
  });

  it('checks the answer against live state, not a fixed string', async () => {
    ctx.answers.set('which-service', 'ledger');
    expect((await step.check(ctx)).status).toBe('pass');
    faulty = 'm9-billing';
    expect(await step.check(ctx)).toMatchObject({ status: 'fail', code: 'wrong-answer' });
    faulty = null;
    expect((await step.check(ctx)).status).toBe('error');
    faulty = 'm9-ledger';
  });

  it('solve answers the truth; each wrong answer is a cheat that fails', async () => {
    await step.setup(ctx);
    await step.solve(ctx);
    expect(ctx.answers.get('which-service')).toBe('m9-ledger');
    for (const cheat of step.cheats ?? []) {
      await cheat.apply(ctx);
      expect((await step.check(ctx)).status).toBe('fail');
    }
  });

  it('setup clears an earlier answer', async () => {
    ctx.answers.set('which-service', 'm9-ledger');
    await step.setup(ctx);
    expect(ctx.answers.get('which-service')).toBeUndefined();
  });
});

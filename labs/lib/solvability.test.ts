import { describe, expect, it } from 'vitest';
import { defineDiagnosis } from './diagnose.ts';
import type { StepContext } from './lab.ts';
import { proveStep } from './solvability.ts';
import { memoryAnswers } from './state.ts';

const ctx = () => ({ labId: 'lab-x', answers: memoryAnswers(), print: () => {} }) as unknown as StepContext;

describe('proveStep on a diagnose step', () => {
  it('tries every wrong answer without setting the environment up again, then solves', async () => {
    let setups = 0;
    const step = defineDiagnosis({
      id: 'which',
      title: 'Which container restarts?',
      target: 'docker',
      question: 'Which container keeps restarting?',
      setup: async () => void (setups += 1),
      truth: async () => ['m9-ledger'],
      wrongAnswers: ['m9-web', 'm9-db'],
      hints: { default: ['Look at the restart counts.'] },
    });
    await proveStep(step, ctx());
    expect(setups).toBe(2); // setup, and setup again for idempotency; none after the wrong answers
  });

  it('fails when a wrong answer is accepted', async () => {
    const step = defineDiagnosis({
      id: 'which',
      title: 'Which container restarts?',
      target: 'docker',
      question: 'Which container keeps restarting?',
      setup: async () => {},
      truth: async () => ['m9-ledger', 'm9-web'],
      wrongAnswers: ['m9-web'],
      hints: { default: ['Look at the restart counts.'] },
    });
    await expect(proveStep(step, ctx())).rejects.toThrow(/the wrong fix "answers "m9-web"" was not caught/);
  });
});

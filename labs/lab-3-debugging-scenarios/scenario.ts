// One scenario of Lab 3 = a diagnose step, then the fix step. The diagnose step brings up the
// same broken system as the fix step (its setup and symptom), asks what the cause is, and reads
// the accepted answers from live state; its id and title follow the fix step's, which name the
// symptom, never the cause.
import { defineDiagnosis, type Diagnosis } from '../lib/diagnose.ts';
import type { Step } from '../lib/lab.ts';

export type DiagnosisOf = Pick<Diagnosis, 'question' | 'truth' | 'wrongAnswers' | 'hints'>;

/** `[diagnose, fix]` for one scenario. The fix step's title starts with "Fix:". */
export function scenario(fix: Step, diagnosis: DiagnosisOf): [Step, Step] {
  if (!fix.title.startsWith('Fix: ')) throw new Error(`${fix.id}: a fix step's title starts with "Fix: "`);
  if (!fix.symptom || !fix.conceal) throw new Error(`${fix.id}: a scenario's fix step needs a symptom and a conceal list`);
  const diagnose = defineDiagnosis({
    id: `${fix.id}-diagnose`,
    title: `Diagnose: ${fix.title.slice('Fix: '.length)}`,
    target: fix.target,
    setup: fix.setup,
    symptom: fix.symptom,
    conceal: fix.conceal,
    images: fix.images,
    ...diagnosis,
  });
  return [diagnose, fix];
}

/** Answers that mean the same thing, written the ways a learner would. */
export function spellings(...forms: string[]): string[] {
  return [...new Set(forms.flatMap((form) => [form, `the ${form}`]))];
}

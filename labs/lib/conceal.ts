// The giveaway check for troubleshooting labs: what the learner sees (step ids and titles,
// container, Pod and Service names, labels, image names, comments in the files they are shown)
// must describe the business domain and the symptom, never the cause. Each troubleshooting step
// lists its cause words; this finds them where they must not be. Run by scripts/check-labs.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './lab.ts';

/** The comment text of a file: `#` and `//` comments (YAML, shell, Dockerfile, TypeScript). */
export function commentsOf(text: string): string[] {
  const comments: string[] = [];
  for (const line of text.split('\n')) {
    const match = /(?:^|\s)(?:#|\/\/)\s?(.*)$/.exec(line);
    if (match?.[1]) comments.push(match[1]);
  }
  return comments;
}

/** The `name:`, `app:` and label-like values of a manifest, and `image:` references. */
export function namesInManifest(text: string): string[] {
  const values: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*-?\s*(name|app|image|[a-z0-9.-]+\/[a-z0-9.-]+|component|tier):\s*["']?([^"'#\s]+)/.exec(line);
    if (match?.[2]) values.push(match[2]);
  }
  return values;
}

const contains = (text: string, word: string) => text.toLowerCase().includes(word.toLowerCase());

/**
 * Problems for one lab: a cause word in a step's id or title, in a name it lists, or in a
 * comment or name of a file it shows. `labDir` resolves the step's files.
 */
export function concealProblems(lab: Lab, labDir: string, read = (file: string) => readFileSync(file, 'utf8')): string[] {
  const problems: string[] = [];
  for (const step of lab.steps) {
    if (!step.conceal) continue;
    const { causeWords, names, files = [] } = step.conceal;
    if (causeWords.length === 0) problems.push(`${lab.id}/${step.id}: conceal.causeWords is empty; list the words that would give the cause away`);
    const seen: [string, string][] = [
      ['step id', step.id],
      ['step title', step.title],
      ...names.map((name): [string, string] => ['name', name]),
    ];
    for (const file of files) {
      const text = read(join(labDir, file));
      for (const comment of commentsOf(text)) seen.push([`comment in ${file}`, comment]);
      for (const name of namesInManifest(text)) seen.push([`name in ${file}`, name]);
    }
    for (const word of causeWords) {
      for (const [where, text] of seen) {
        if (contains(text, word)) problems.push(`${lab.id}/${step.id}: the ${where} "${text}" gives the cause away ("${word}"); name things after the domain or the symptom`);
      }
    }
  }
  return problems;
}

/** In a troubleshooting lab, each step with a symptom needs a conceal list and a diagnose step before it. */
export function troubleshootingProblems(lab: Lab): string[] {
  const problems: string[] = [];
  lab.steps.forEach((step, index) => {
    if (!step.symptom || step.question) return;
    if (!step.conceal) problems.push(`${lab.id}/${step.id}: a troubleshooting step needs conceal (its cause words and the names the learner sees)`);
    const earlier = lab.steps.slice(0, index).filter((s) => s.target === step.target);
    if (!earlier.at(-1)?.question) problems.push(`${lab.id}/${step.id}: put a diagnose step (defineDiagnosis) right before this fix step`);
  });
  return problems;
}

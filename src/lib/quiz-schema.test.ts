import { describe, expect, it } from 'vitest';
import { crossQuizProblems, quizProblems, quizSchema, type Quiz } from './quiz-schema.ts';

const question = (overrides: object = {}) => ({
  id: 'cka-qos-guaranteed',
  topic: 'resources',
  type: 'single',
  prompt: 'Which QoS class does the API server assign?',
  options: [
    { text: 'Guaranteed', correct: true, why: 'Requests equal limits for CPU and memory.' },
    { text: 'Burstable', why: 'That is for Pods that miss the Guaranteed rule.' },
  ],
  explanation: 'The class is stored in status.qosClass.',
  source: { title: 'Pod QoS', url: 'https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/' },
  checkedAgainst: 'Kubernetes v1.37',
  teachesIn: '/topics/2-resources/qos-and-eviction/',
  ...overrides,
});
const quiz = (questions: object[]) => ({ id: 'cka', title: 'CKA practice', certification: 'CKA', examMinutes: 30, questions });

describe('quizProblems', () => {
  it('accepts a well-formed quiz', () => {
    expect(quizProblems('cka.yaml', quiz([question()]))).toEqual([]);
  });

  const bad: [string, object, RegExp][] = [
    ['a missing answer', question({ options: [{ text: 'A', why: 'wrong because of this' }, { text: 'B', why: 'wrong because of that' }] }), /question "cka-qos-guaranteed" is "single" and needs exactly one option with correct: true \(found 0\)/],
    ['two answers on a single question', question({ options: [{ text: 'A', correct: true, why: 'right because of this' }, { text: 'B', correct: true, why: 'right because of that' }] }), /needs exactly one option with correct: true \(found 2\)/],
    ['a multiple question with no answer', question({ type: 'multiple', options: [{ text: 'A', why: 'wrong because of this' }, { text: 'B', why: 'wrong because of that' }] }), /needs at least one option with correct: true/],
    ['a missing source link', question({ source: { title: 'Pod QoS' } }), /question "cka-qos-guaranteed", questions\.0\.source\.url/],
    ['an http source link', question({ source: { title: 'Pod QoS', url: 'http://kubernetes.io/x' } }), /source\.url must be an https URL/],
    ['an option without why', question({ options: [{ text: 'A', correct: true }, { text: 'B', why: 'wrong because of that' }] }), /questions\.0\.options\.0\.why/],
    ['one option only', question({ options: [{ text: 'A', correct: true, why: 'right because of this' }] }), /at least 2 options/],
    ['an unknown topic', question({ topic: 'networking' }), /questions\.0\.topic/],
    ['a teachesIn that is not a site path', question({ teachesIn: 'topics/2-resources' }), /teachesIn is a site path/],
    ['duplicate option texts', question({ options: [{ text: 'A', correct: true, why: 'right because of this' }, { text: 'A', why: 'wrong because of that' }] }), /two options with the same text/],
    ['an unknown field (a typo)', question({ explenation: 'x' }), /explenation/],
  ];
  for (const [what, q, message] of bad) {
    it(`rejects ${what}, naming the file and what to fix`, () => {
      const problems = quizProblems('src/content/quizzes/cka.yaml', quiz([q]));
      expect(problems.join('\n')).toMatch(/^src\/content\/quizzes\/cka\.yaml: /);
      expect(problems.join('\n')).toMatch(message);
    });
  }

  it('rejects a duplicate question id within a quiz', () => {
    expect(quizProblems('cka.yaml', quiz([question(), question()])).join('\n')).toMatch(/question id "cka-qos-guaranteed" is used twice in quiz "cka"/);
  });
});

describe('crossQuizProblems', () => {
  const parsed = (id: string, q: object[]) => quizSchema.parse({ ...quiz(q), id }) as Quiz;
  const pages = new Set(['/topics/2-resources/qos-and-eviction/']);

  it('rejects ids reused across quizzes, teachesIn pages that do not exist, and file/id mismatches', () => {
    const problems = crossQuizProblems(
      [
        { file: 'src/content/quizzes/cka.yaml', quiz: parsed('cka', [question()]) },
        { file: 'src/content/quizzes/ckad.yaml', quiz: parsed('ckad', [question({ teachesIn: '/topics/9-nowhere/' })]) },
        { file: 'src/content/quizzes/sre.yaml', quiz: parsed('dca', [question({ id: 'sre-x' })]) },
      ],
      pages,
    );
    expect(problems).toEqual([
      expect.stringMatching(/ckad\.yaml: question "cka-qos-guaranteed" has the same id as a question in src\/content\/quizzes\/cka\.yaml/),
      expect.stringMatching(/ckad\.yaml: question "cka-qos-guaranteed": teachesIn "\/topics\/9-nowhere\/" is not a page of the site/),
      expect.stringMatching(/sre\.yaml: id "dca" must match the file name/),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { commentsOf, concealProblems, namesInManifest, troubleshootingProblems } from './conceal.ts';
import type { Lab, Step } from './lab.ts';
import { pass } from './result.ts';

const step = (over: Partial<Step>): Step => ({
  id: 'checkout-slow',
  title: 'Checkout is slow',
  target: 'docker',
  goal: '',
  setup: async () => {},
  check: async () => pass(''),
  expected: { failsWith: 'x' },
  hints: { default: ['h'] },
  solve: async () => {},
  ...over,
});

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: checkout
  labels:
    app: checkout-tight-memory # keep the memory limit low
spec:
  containers:
    - name: web
      image: module9/shop:local
`;

describe('commentsOf and namesInManifest', () => {
  it('finds comments and names', () => {
    expect(commentsOf(manifest)).toEqual(['keep the memory limit low']);
    expect(namesInManifest(manifest)).toEqual(['checkout', 'checkout-tight-memory', 'web', 'module9/shop:local']);
  });
});

describe('concealProblems', () => {
  const read = () => manifest;
  it('passes names that describe the domain and the symptom', () => {
    const lab: Lab = { id: 'lab-x', steps: [step({ conceal: { causeWords: ['oom'], names: ['m9-checkout'], files: ['pod.yaml'] } })] };
    expect(concealProblems(lab, '/x', read)).toEqual([]);
  });
  it('fails on a cause word in a name, a label, a comment, the step id or title', () => {
    const lab: Lab = {
      id: 'lab-x',
      steps: [step({ id: 'memory-limit', conceal: { causeWords: ['memory'], names: ['m9-memory-hog'], files: ['pod.yaml'] } })],
    };
    const problems = concealProblems(lab, '/x', read);
    expect(problems.join('\n')).toMatch(/step id "memory-limit"/);
    expect(problems.join('\n')).toMatch(/name "m9-memory-hog"/);
    expect(problems.join('\n')).toMatch(/comment in pod.yaml "keep the memory limit low"/);
    expect(problems.join('\n')).toMatch(/name in pod.yaml "checkout-tight-memory"/);
  });
  it('asks for cause words when the list is empty', () => {
    const lab: Lab = { id: 'lab-x', steps: [step({ conceal: { causeWords: [], names: [] } })] };
    expect(concealProblems(lab, '/x', read)).toEqual([expect.stringMatching(/causeWords is empty/)]);
  });
});

describe('troubleshootingProblems', () => {
  const symptom = async () => pass('');
  it('needs a diagnose step right before each fix step, and a conceal list', () => {
    const lab: Lab = { id: 'lab-x', steps: [step({ symptom })] };
    expect(troubleshootingProblems(lab)).toEqual([expect.stringMatching(/needs conceal/), expect.stringMatching(/put a diagnose step/)]);
  });
  it('accepts diagnose, then fix', () => {
    const conceal = { causeWords: ['oom'], names: [] };
    const lab: Lab = { id: 'lab-x', steps: [step({ id: 'which', question: 'Which?', symptom, conceal }), step({ symptom, conceal })] };
    expect(troubleshootingProblems(lab)).toEqual([]);
  });
});

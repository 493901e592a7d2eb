import { describe, expect, it } from 'vitest';
import { causeAnswers } from './cause-answers.ts';
import { answerMatches } from './diagnose.ts';

describe('causeAnswers', () => {
  const accepted = causeAnswers(['m9-s2-renderer'], ['memory'], 'm9-s2-');

  it('accepts the name with or without the prefix, with any of the separators', () => {
    for (const answer of ['m9-s2-renderer memory', 'renderer memory', 'Renderer, Memory', 'renderer: memory', 'm9-s2-renderer / memory', 'renderer/memory']) {
      expect(answerMatches(answer, accepted)).toBe(true);
    }
  });

  it('rejects the other resource, the other order, and half an answer', () => {
    for (const answer of ['renderer cpu', 'memory renderer', 'renderer', 'memory', 'm9-s2-api memory']) expect(answerMatches(answer, accepted)).toBe(false);
  });

  it('is empty when there is no cause', () => {
    expect(causeAnswers([], ['memory'])).toEqual([]);
  });
});

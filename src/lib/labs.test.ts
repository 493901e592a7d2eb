import { describe, expect, it } from 'vitest';
import { formatTargets, parseLabMetas } from './labs.ts';

const lab = (id: string, number: number, extra: object = {}) => ({
  id,
  number,
  title: `Lab ${number}`,
  summary: 'Right-size a container from what it really uses.',
  targets: ['docker', 'kind'],
  estimatedMinutes: 45,
  page: `labs/${id}`,
  ...extra,
});

describe('parseLabMetas', () => {
  it('returns labs sorted by number', () => {
    const labs = parseLabMetas({
      '/labs/lab-2-resources/meta.json': lab('lab-2-resources', 2),
      '/labs/lab-1-monitoring/meta.json': lab('lab-1-monitoring', 1),
    });
    expect(labs.map((l) => l.id)).toEqual(['lab-1-monitoring', 'lab-2-resources']);
  });

  it('returns an empty list when there are no labs', () => {
    expect(parseLabMetas({})).toEqual([]);
  });

  it('names the file and the field when metadata is wrong', () => {
    expect(() =>
      parseLabMetas({ '/labs/lab-1/meta.json': lab('lab-1', 1, { targets: ['podman'], estimatedMinutes: -5 }) }),
    ).toThrow(/\/labs\/lab-1\/meta\.json is not valid lab metadata:\n {2}- targets\.0: .*\n {2}- estimatedMinutes: /);
  });

  it('rejects keys the schema does not know, so typos do not pass silently', () => {
    expect(() => parseLabMetas({ '/labs/lab-1/meta.json': lab('lab-1', 1, { estimatedMinuets: 5 }) })).toThrow(
      /estimatedMinuets/,
    );
  });

  it('requires the id to match the folder', () => {
    expect(() => parseLabMetas({ '/labs/lab-one/meta.json': lab('lab-1', 1) })).toThrow(
      /"id" is "lab-1" but the folder is "lab-one"/,
    );
  });
});

describe('formatTargets', () => {
  it('names the targets as a learner knows them', () => {
    expect(formatTargets(['docker', 'kind'])).toBe('Docker + Kubernetes (kind)');
    expect(formatTargets(['docker'])).toBe('Docker');
  });
});

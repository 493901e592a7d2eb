// Check logic of the kind part. The k6 summaries in fixtures/ are written by hand in the shape
// k6 v2.2.0 gives handleSummary() (internal/js/summary.go: metrics.<name>.type, .contains,
// .values, .thresholds["<source>"].ok), with numbers of the size the throttled and the fixed
// catalogue produce; kind cannot run on our CI machine. The Kubernetes objects follow
// `kubectl get -o json` (Kubernetes 1.37), trimmed to the fields the checks read.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { judgeSummary, k6Load, k6Script, parseSummary } from './k6.ts';
import { cpuCores, judgeBaseline, judgeFixed, latestRun, type Deployment, type Job, type KindState, type Pod } from './kind-steps.ts';
import { catalogDeployment, k6CronJob, k6ScriptConfigMap } from './manifests.ts';

const ns = 'module9-lab-5-performance-testing';
const summary = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const podsStarted = '2026-11-25T18:00:10Z';

function deployment(cpu: string | undefined, status: Partial<NonNullable<Deployment['status']>> = {}): Deployment {
  const limits: Record<string, string> = { memory: '128Mi' };
  if (cpu) limits.cpu = cpu;
  return {
    metadata: { name: 'm9-lab5-catalog', generation: 2 },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'catalog', resources: { requests: { cpu: '50m', memory: '64Mi' }, limits } }, { name: 'inventory' }] } } },
    status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1, ...status },
  };
}

const pod = (ready = true): Pod => ({
  metadata: { name: 'm9-lab5-catalog-6d9f8c7b5c-q2w8r' },
  status: { phase: 'Running', startTime: podsStarted, conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: ready ? 'True' : 'False' }] },
});

function job(name: string, created: string, state: 'Complete' | 'Failed' | 'running' = 'Complete'): Job {
  const conditions = state === 'running' ? [] : [{ type: state === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget', status: 'True' }, { type: state, status: 'True', reason: state === 'Failed' ? 'BackoffLimitExceeded' : undefined }];
  return {
    metadata: { name, creationTimestamp: created },
    spec: { template: { metadata: { labels: { app: 'm9-lab5-k6', 'module9.lab': 'lab-5-performance-testing' } } } },
    status: state === 'running' ? { active: 1 } : { ...(state === 'Complete' ? { succeeded: 1 } : { failed: 1 }), conditions },
  };
}

const state = (d: Deployment | null, jobs: Job[], summaryFile?: string, pods = [pod()]): KindState => ({
  deployment: d,
  pods,
  jobs,
  summaryText: summaryFile ? summary(summaryFile) : undefined,
});

describe('reading the k6 summary', () => {
  it('reads the thresholds, p95 and error rate', () => {
    expect(judgeSummary(parseSummary(summary('k6-summary-throttled.json')))).toMatchObject({
      kind: 'ran',
      passed: false,
      crossed: ['http_req_duration p(95)<300', 'http_req_failed rate<0.01'],
      requests: 611,
    });
    expect(judgeSummary(parseSummary(summary('k6-summary-fixed.json')))).toMatchObject({ kind: 'ran', passed: true, p95: 12.6, failedRate: 0 });
  });

  it('tells an unreachable target, changed thresholds and a non-summary apart', () => {
    expect(judgeSummary(parseSummary(summary('k6-summary-refused.json')))).toEqual({ kind: 'unreachable', requests: 800 });
    expect(judgeSummary(parseSummary(summary('k6-summary-no-thresholds.json')))).toMatchObject({ kind: 'thresholds-changed', found: [] });
    expect(judgeSummary(parseSummary('cat: can\'t open \'/results/summary.json\': No such file or directory'))).toMatchObject({ kind: 'unreadable' });
  });

  it('counts dropped iterations as part of the scheduled load, and notices a smaller load', () => {
    const data = parseSummary(summary('k6-summary-fixed.json'))!;
    data.metrics.http_reqs!.values.count = 100;
    expect(judgeSummary(data)).toMatchObject({ kind: 'incomplete', requests: 100 });
    expect(k6Load.rate * k6Load.seconds).toBe(800);
  });
});

describe('the baseline run', () => {
  it('waits for a run against the current Pods, and for it to finish', () => {
    expect(judgeBaseline(state(deployment('50m'), []), ns)).toMatchObject({ code: 'no-run' });
    expect(judgeBaseline(state(deployment('50m'), [job('m9-lab5-k6-old', '2026-11-25T17:59:00Z')]), ns)).toMatchObject({ code: 'no-run' });
    expect(judgeBaseline(state(deployment('50m'), [job('m9-lab5-k6-1', '2026-11-25T18:01:00Z', 'running')]), ns)).toMatchObject({ code: 'run-in-progress' });
    expect(judgeBaseline(state(deployment('50m', { readyReplicas: 0 }), [], undefined, [pod(false)]), ns)).toMatchObject({ code: 'rollout-in-progress' });
  });

  it('passes when the gate crossed its thresholds against the throttled Deployment', () => {
    expect(judgeBaseline(state(deployment('50m'), [job('m9-lab5-k6-1', '2026-11-25T18:01:00Z')], 'k6-summary-throttled.json'), ns)).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/crossed http_req_duration p\(95\)<300 and http_req_failed rate<0\.01.*p95 4962 ms/),
    });
  });

  it('rejects a run with the thresholds removed, and reports a failed or unreachable run as an error', () => {
    expect(judgeBaseline(state(deployment('50m'), [job('m9-lab5-k6-1', '2026-11-25T18:01:00Z')], 'k6-summary-no-thresholds.json'), ns)).toMatchObject({ code: 'thresholds-changed' });
    expect(judgeBaseline(state(deployment('50m'), [job('m9-lab5-k6-1', '2026-11-25T18:01:00Z', 'Failed')]), ns)).toMatchObject({ status: 'error', next: expect.stringMatching(/-c k6/) });
    expect(judgeBaseline(state(deployment('50m'), [job('m9-lab5-k6-1', '2026-11-25T18:01:00Z')], 'k6-summary-refused.json'), ns)).toMatchObject({ status: 'error', next: expect.stringMatching(/endpointslices/) });
  });
});

describe('the fixed Deployment', () => {
  const newest = [job('m9-lab5-k6-1', '2026-11-25T18:01:00Z'), job('m9-lab5-k6-2', '2026-11-25T18:03:00Z')];

  it('fails at once on the limit itself', () => {
    expect(judgeFixed(state(deployment('50m'), newest, 'k6-summary-fixed.json'), ns)).toMatchObject({ code: 'throttled' });
    expect(judgeFixed(state(deployment(undefined), newest, 'k6-summary-fixed.json'), ns)).toMatchObject({ code: 'no-cpu-limit' });
    expect(judgeFixed(state(deployment('2'), newest, 'k6-summary-fixed.json'), ns)).toMatchObject({ code: 'limit-too-high' });
  });

  it('wants a passing run against the new Pods', () => {
    expect(judgeFixed(state(deployment('1'), [job('m9-lab5-k6-1', '2026-11-25T17:59:00Z')]), ns)).toMatchObject({ code: 'no-run-since-change' });
    expect(judgeFixed(state(deployment('500m'), newest, 'k6-summary-throttled.json'), ns)).toMatchObject({ code: 'thresholds-crossed' });
    expect(judgeFixed(state(deployment('1'), newest, 'k6-summary-fixed.json'), ns)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/m9-lab5-k6-2 passed.*p95 13 ms.*limit of 1\./) });
  });

  it('picks the newest load-test Job and ignores other Jobs', () => {
    const other: Job = { ...job('backup', '2026-11-25T18:05:00Z'), spec: { template: { metadata: { labels: { app: 'backup' } } } } };
    expect(latestRun([...newest, other], Date.parse(podsStarted))?.metadata.name).toBe('m9-lab5-k6-2');
  });
});

describe('manifests and quantities', () => {
  it('parses CPU quantities', () => {
    expect(cpuCores('50m')).toBe(0.05);
    expect(cpuCores('1')).toBe(1);
    expect(cpuCores('1.5')).toBe(1.5);
    expect(cpuCores(undefined)).toBeUndefined();
    expect(() => cpuCores('1Gi')).toThrow(/unexpected/);
  });

  it('builds valid YAML with the pinned images and the script in the ConfigMap', () => {
    const d = parse(catalogDeployment()) as { spec: { template: { spec: { containers: { image: string; resources: { limits: { cpu: string } } }[] } } } };
    expect(d.spec.template.spec.containers[0]!.resources.limits.cpu).toBe('50m');
    expect(d.spec.template.spec.containers.map((c) => c.image)).toEqual(['module9/lab-5-performance-testing-catalog:local', 'module9/lab-5-performance-testing-inventory:local']);
    const cm = parse(k6ScriptConfigMap()) as { data: { 'script.js': string } };
    expect(cm.data['script.js']).toBe(k6Script('http://m9-lab5-catalog:8080'));
    const cron = parse(k6CronJob) as { spec: { suspend: boolean; jobTemplate: { spec: { template: { spec: { initContainers: { image: string }[] } } } } } };
    expect(cron.spec.suspend).toBe(true);
    expect(cron.spec.jobTemplate.spec.template.spec.initContainers[0]!.image).toMatch(/grafana\/k6:2\.2\.0(@sha256:[0-9a-f]{64})?$/);
  });
});

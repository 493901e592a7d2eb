// Check logic of the kind part on kubectl JSON. The objects below follow the shape of
// `kubectl get -o json` (Kubernetes 1.37), trimmed to the fields the checks read.
import { describe, expect, it } from 'vitest';
import { judgeHpa, judgeLimitRange, judgeQos, judgeQuota, type Deployment, type HpaObject, type LimitRangeObject, type Pod, type QuotaObject } from './kind-steps.ts';
import { parseQuantity, sameQuantity } from './quantity.ts';

function deploymentJson(name: string, replicas: number, status: Partial<NonNullable<Deployment['status']>> = {}, resources?: object): Deployment {
  return {
    metadata: { name, generation: 2 },
    spec: { replicas, template: { spec: { containers: [{ name: 'main', ...(resources ? { resources } : {}) }] } } },
    status: { observedGeneration: 2, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }], ...status },
  } as Deployment;
}

function podJson(name: string, qosClass: string, extra: Partial<Pod['metadata']> = {}, ready = true): Pod {
  return {
    metadata: { name, ownerReferences: [{ kind: 'ReplicaSet', name: `${name.split('-').slice(0, 2).join('-')}-7c9d8f6b5d` }], ...extra },
    spec: { containers: [{ name: 'main', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }] },
    status: { phase: 'Running', qosClass, conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('judgeQos', () => {
  it('fails a Burstable Pod with its class named', () => {
    expect(judgeQos(deploymentJson('m9-api', 1), [podJson('m9-api-7c9d8f6b5d-x2x7q', 'Burstable')])).toMatchObject({ code: 'not-guaranteed', reason: expect.stringMatching(/m9-api-7c9d8f6b5d-x2x7q is Burstable/) });
  });

  it('passes Guaranteed Pods of the Deployment, ignoring Pods that are terminating', () => {
    const old = podJson('m9-api-5f6d7c8b9a-abcde', 'Burstable', { deletionTimestamp: '2026-11-25T15:00:00Z' });
    expect(judgeQos(deploymentJson('m9-api', 1), [podJson('m9-api-7c9d8f6b5d-x2x7q', 'Guaranteed'), old])).toMatchObject({ status: 'pass', observed: expect.stringMatching(/cpu 100m, memory 64Mi/) });
  });

  it('treats an unfinished rollout as transient, and rejects the wrong fixes', () => {
    expect(judgeQos(deploymentJson('m9-api', 1, { updatedReplicas: 0 }), [])).toMatchObject({ code: 'rollout-in-progress' });
    expect(judgeQos(null, [podJson('m9-api-bare', 'Guaranteed', { ownerReferences: [] })])).toMatchObject({ code: 'deployment-missing' });
    expect(judgeQos(deploymentJson('m9-api', 1), [podJson('m9-api-7c9d8f6b5d-x2x7q', 'Guaranteed'), podJson('m9-api-bare', 'Guaranteed', { ownerReferences: [] })])).toMatchObject({ code: 'not-from-deployment' });
  });
});

describe('judgeLimitRange', () => {
  const lr: LimitRangeObject = { spec: { limits: [{ type: 'Container', default: { cpu: '200m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' } }] } };
  const annotated = podJson('m9-worker-6b7c8d9e0f-k2j4h', 'Burstable', { annotations: { 'kubernetes.io/limit-ranger': 'LimitRanger plugin set: cpu, memory request for container main; cpu, memory limit for container main' } });

  it('passes Pods admitted with the defaults', () => {
    expect(judgeLimitRange(lr, deploymentJson('m9-worker', 1), [annotated])).toMatchObject({ status: 'pass' });
  });

  it('accepts the same amounts written differently', () => {
    const other: LimitRangeObject = { spec: { limits: [{ type: 'Container', default: { cpu: '0.2', memory: '134217728' }, defaultRequest: { cpu: '0.1', memory: '65536Ki' } }] } };
    expect(judgeLimitRange(other, deploymentJson('m9-worker', 1), [annotated])).toMatchObject({ status: 'pass' });
  });

  it('names each way it can be wrong', () => {
    expect(judgeLimitRange(null, deploymentJson('m9-worker', 1), [])).toMatchObject({ code: 'no-limitrange' });
    expect(judgeLimitRange({ spec: { limits: [{ type: 'Container', default: { cpu: '1', memory: '128Mi' } }] } }, deploymentJson('m9-worker', 1), [annotated])).toMatchObject({ code: 'wrong-defaults' });
    expect(judgeLimitRange(lr, deploymentJson('m9-worker', 1), [podJson('m9-worker-6b7c8d9e0f-old', 'BestEffort')])).toMatchObject({ code: 'pods-not-restarted' });
    expect(judgeLimitRange(lr, deploymentJson('m9-worker', 1, {}, { requests: { cpu: '100m' } }), [annotated])).toMatchObject({ code: 'set-in-deployment' });
  });
});

describe('judgeQuota', () => {
  const quota: QuotaObject = { spec: { hard: { 'limits.memory': '512Mi', pods: '10', 'requests.memory': '256Mi' } }, status: { used: { 'requests.memory': '192Mi' } } };
  const failing = deploymentJson('m9-batch', 3, {
    replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2,
    conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "m9-batch-5d8f7c6b4-z9x8w" is forbidden: exceeded quota: m9-quota, requested: requests.memory=128Mi, used: requests.memory=256Mi, limited: requests.memory=256Mi' }],
  });

  it('reports the quota rejection from the Deployment condition', () => {
    expect(judgeQuota(quota, failing)).toMatchObject({ code: 'quota-exceeded', reason: expect.stringMatching(/exceeded quota: m9-quota, requested: requests\.memory=128Mi/) });
  });

  it('passes three ready Pods within the unchanged quota, even with a stale failure condition', () => {
    expect(judgeQuota(quota, deploymentJson('m9-batch', 3, { conditions: failing.status!.conditions }))).toMatchObject({ status: 'pass', observed: expect.stringMatching(/192Mi of 256Mi/) });
  });

  it('rejects changing the quota, deleting it, or scaling down', () => {
    expect(judgeQuota({ spec: { hard: { ...quota.spec.hard, 'requests.memory': '1Gi' } } }, deploymentJson('m9-batch', 3))).toMatchObject({ code: 'quota-changed' });
    expect(judgeQuota(null, deploymentJson('m9-batch', 3))).toMatchObject({ code: 'quota-missing' });
    expect(judgeQuota(quota, deploymentJson('m9-batch', 2))).toMatchObject({ code: 'replicas-changed' });
  });
});

describe('judgeHpa', () => {
  const hpa = (averageUtilization: number, status?: HpaObject['status']): HpaObject => ({
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'm9-cpu-app' }, minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } }] },
    status,
  });

  it('waits for metrics, then for the scale-out, then passes', () => {
    expect(judgeHpa(hpa(50, { currentReplicas: 1, desiredReplicas: 1, currentMetrics: null }), deploymentJson('m9-cpu-app', 1))).toMatchObject({ code: 'no-metrics-yet' });
    const seen = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 198 } } }];
    expect(judgeHpa(hpa(50, { currentReplicas: 1, desiredReplicas: 1, currentMetrics: seen }), deploymentJson('m9-cpu-app', 1))).toMatchObject({ code: 'not-scaled-yet' });
    expect(judgeHpa(hpa(50, { currentReplicas: 1, desiredReplicas: 4, currentMetrics: seen }), deploymentJson('m9-cpu-app', 4))).toMatchObject({ status: 'pass', observed: expect.stringMatching(/198% CPU .* to 4 replicas/) });
  });

  it('rejects no HPA (scaling by hand) and a wrong target', () => {
    expect(judgeHpa(null, deploymentJson('m9-cpu-app', 4))).toMatchObject({ code: 'no-hpa' });
    expect(judgeHpa(hpa(500), deploymentJson('m9-cpu-app', 1))).toMatchObject({ code: 'wrong-spec' });
  });
});

describe('quantities', () => {
  it('parses the forms the API server accepts', () => {
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('64Mi')).toBe(67108864);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(sameQuantity('128Mi', '134217728')).toBe(true);
    expect(sameQuantity('0.5', '500m')).toBe(true);
    expect(() => parseQuantity('64MB')).toThrow(/unknown suffix/);
  });
});

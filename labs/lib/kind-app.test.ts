import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { deploymentsState, kindClusterOf, serviceManifest, type Deployment } from './kind-app.ts';

const deployment = (name: string, replicas = 1, status: Deployment['status'] = {}): Deployment => ({
  metadata: { name, generation: 1 },
  spec: { replicas, template: { spec: { containers: [{ name: 'main' }] } } },
  status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, ...status },
});

describe('kindClusterOf', () => {
  it('names the kind cluster of a kind context, and nothing else', () => {
    expect(kindClusterOf('kind-module9')).toBe('module9');
    expect(kindClusterOf('kind-')).toBeNull();
    expect(kindClusterOf('prod-eu')).toBeNull();
  });
});

describe('deploymentsState', () => {
  it('is null when every Deployment is up and rolled out', () => {
    expect(deploymentsState('lab-x', 'step', { a: deployment('a'), b: deployment('b') })).toBeNull();
  });

  it('fails a missing or scaled-to-zero Deployment before waiting for any rollout', () => {
    expect(deploymentsState('lab-x', 'step', { a: deployment('a', 1, { readyReplicas: 0 }), b: null })).toMatchObject({ code: 'deployment-missing', reason: expect.stringContaining('--from step') });
    expect(deploymentsState('lab-x', 'step', { a: deployment('a', 0) })).toMatchObject({ code: 'scaled-to-zero' });
    expect(deploymentsState('lab-x', 'step', { a: deployment('a', 1, { readyReplicas: 0 }) })).toMatchObject({ code: 'rollout-in-progress' });
    expect(deploymentsState('lab-x', 'step', { a: deployment('a', 1, { replicas: 2 }) })).toMatchObject({ code: 'rollout-in-progress' });
  });
});

describe('serviceManifest', () => {
  it('is a labelled Deployment with probe and Service for an HTTP service, a Deployment alone otherwise', () => {
    const http = parseAllDocuments(
      serviceManifest('lab-x', { name: 'm9-x-api', container: 'api', image: 'module9/lab-x-app:local', http: true, env: { A: '1' }, resources: { requests: { cpu: '50m' }, limits: { memory: '64Mi' } } }),
    ).map((d) => d.toJS());
    expect(http.map((d) => d.kind)).toEqual(['Deployment', 'Service']);
    const container = http[0].spec.template.spec.containers[0];
    expect(container).toMatchObject({ name: 'api', args: ['api'], env: [{ name: 'A', value: '1' }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 } }, resources: { requests: { cpu: '50m' }, limits: { memory: '64Mi' } } });
    expect(http[1].spec).toMatchObject({ selector: { app: 'm9-x-api' }, ports: [{ port: 8080, targetPort: 8080 }] });
    const worker = parseAllDocuments(serviceManifest('lab-x', { name: 'm9-x-worker', container: 'worker', image: 'i', http: false, resources: { requests: { cpu: '10m' } } })).map((d) => d.toJS());
    expect(worker.map((d) => d.kind)).toEqual(['Deployment']);
    expect(worker[0].spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '10m' } });
    expect(worker[0].spec.template.metadata.labels).toEqual({ app: 'm9-x-worker', 'module9.lab': 'lab-x' });
  });
});

// The manifests are built as strings; parse them back and check the structure the API server
// will see, so an indentation slip fails here rather than in the kind workflow.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { barePod, deployment, hpa, limitRange, resourceQuota } from './manifests.ts';
import { metricsServerManifest } from './metrics-server.ts';

const label = { 'module9.lab': 'lab-2-resource-optimization' };

describe('Lab 2 manifests', () => {
  it('builds a Deployment with resources on the container and the lab label on Pods', () => {
    const d = parse(deployment({ name: 'm9-batch', replicas: 3, strategy: 'Recreate', command: 'exec sleep 86400', resources: { requests: { cpu: '10m', memory: '128Mi' }, limits: { memory: '128Mi' } } }));
    expect(d).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'm9-batch', labels: label }, spec: { replicas: 3, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'm9-batch' } } } });
    const container = d.spec.template.spec.containers[0];
    expect(d.spec.template.metadata.labels).toMatchObject({ app: 'm9-batch', ...label });
    expect(container.command).toEqual(['sh', '-c', 'exec sleep 86400']);
    expect(container.resources).toEqual({ requests: { cpu: '10m', memory: '128Mi' }, limits: { memory: '128Mi' } });
    expect(container.image).toMatch(/^docker\.io\/library\/busybox:1\.37\.0@sha256:[0-9a-f]{64}$/);
  });

  it('builds a Deployment with no resources block when none are given', () => {
    expect(parse(deployment({ name: 'm9-worker', replicas: 1, command: 'exec sleep 86400' })).spec.template.spec.containers[0].resources).toBeUndefined();
  });

  it('builds the LimitRange, ResourceQuota, HPA and bare Pod', () => {
    expect(parse(limitRange)).toMatchObject({ kind: 'LimitRange', spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '64Mi' }, default: { cpu: '200m', memory: '128Mi' } }] } });
    expect(parse(resourceQuota)).toMatchObject({ kind: 'ResourceQuota', spec: { hard: { 'requests.memory': '256Mi', 'limits.memory': '512Mi', pods: '10' } } });
    expect(parse(hpa(50))).toMatchObject({ apiVersion: 'autoscaling/v2', spec: { scaleTargetRef: { kind: 'Deployment', name: 'm9-cpu-app' }, minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] } });
    expect(parse(barePod('m9-api-bare', 'm9-api', { cpu: '100m', memory: '64Mi' }))).toMatchObject({ kind: 'Pod', metadata: { labels: { app: 'm9-api', ...label } }, spec: { containers: [{ resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }] } });
  });

  it('builds metrics-server as labelled objects, pinned by digest', () => {
    const docs = parseAllDocuments(metricsServerManifest()).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ClusterRoleBinding', 'Service', 'Deployment', 'APIService']);
    for (const d of docs) expect(d.metadata.labels).toMatchObject(label);
    const deploymentDoc = docs.find((d) => d.kind === 'Deployment');
    const container = deploymentDoc.spec.template.spec.containers[0];
    expect(container.image).toMatch(/^registry\.k8s\.io\/metrics-server\/metrics-server:v0\.8\.1@sha256:[0-9a-f]{64}$/);
    expect(container.args).toContain('--kubelet-insecure-tls');
    expect(deploymentDoc.spec.selector.matchLabels).toEqual(deploymentDoc.spec.template.metadata.labels.k8s ?? { 'k8s-app': 'metrics-server' });
    expect(docs.find((d) => d.kind === 'APIService')).toMatchObject({ metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { service: { name: 'metrics-server', namespace: 'kube-system' } } });
  });
});

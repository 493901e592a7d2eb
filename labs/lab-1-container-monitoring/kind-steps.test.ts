// The kind part's logic without a cluster: the chart values pin every image from labs/images.ts
// and label what cleanup must find; the service-proxy client maps kubectl's answers; the checks
// judge targets and rules in the shape Prometheus's API gives them for a ServiceMonitor
// (fixtures/kind-targets.json, written after the Prometheus HTTP API reference: a target of a
// ServiceMonitor carries the namespace, service, pod and endpoint labels).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { images } from '../images.ts';
import { clusterKinds } from '../lib/kube.ts';
import type { CommandResult } from '../lib/shell.ts';
import { appDeployment, checkServiceMonitor, foreignCrds, helmImage, kindTargets, prometheusRule, proxyGet, serviceMonitor, stackCrds, stackValues } from './kind-steps.ts';
import { labId, memoryRule } from './files.ts';
import { judgeTargets, Unreachable, type ApiClient, type Target } from './monitoring.ts';

const ns = 'module9-lab-1-container-monitoring';
const kindTargetsFixture = (JSON.parse(readFileSync(new URL('fixtures/kind-targets.json', import.meta.url), 'utf8')) as { data: { activeTargets: Target[] } }).data.activeTargets;

describe('stackValues', () => {
  const values = stackValues(ns, undefined) as Record<string, any>;
  it('runs only images from the pinned list, by digest', () => {
    const refs = [values.prometheusOperator.image, values.prometheusOperator.prometheusConfigReloader.image, values.prometheus.prometheusSpec.image, values.grafana.image, values.grafana.sidecar.image];
    for (const image of refs) expect(`${image.registry}/${image.repository}:${image.tag}@sha256:${image.sha}`).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(values.prometheus.prometheusSpec.image).toEqual({ registry: 'docker.io', repository: 'prom/prometheus', tag: 'v3.14.0', sha: images.prometheus.digest.slice(7) });
    expect(values.grafana.sidecar.image).toMatchObject({ registry: 'ghcr.io', repository: 'kiwigrid/k8s-sidecar', tag: '2.11.2' });
  });
  it('switches off every part that would run an image not in the list', () => {
    for (const part of ['alertmanager', 'kubeStateMetrics', 'nodeExporter', 'windowsMonitoring']) expect(values[part]).toEqual({ enabled: false });
    expect(values.prometheusOperator.admissionWebhooks).toEqual({ enabled: false });
    expect(values.grafana.testFramework).toEqual({ enabled: false });
  });
  it('labels what cleanup must find and keeps Grafana and the kubelet Service in the lab namespace', () => {
    expect(values.commonLabels).toEqual({ 'module9.lab': labId });
    expect(values.grafana.extraLabels).toEqual({ 'module9.lab': labId });
    expect(values.grafana.rbac).toEqual({ namespaced: true });
    expect(values.prometheusOperator.kubeletService.namespace).toBe(ns);
    expect(values.grafana.sidecar.dashboards.searchNamespace).toBe(ns);
  });
  it('keeps cAdvisor\'s container_spec_* series, which the chart drops by default', () => {
    const drops = (values.kubelet.serviceMonitor.cAdvisorMetricRelabelings as { regex: string }[]).map((r) => r.regex);
    expect(drops.some((r) => new RegExp(`^(?:${r})$`).test('container_spec_memory_limit_bytes'))).toBe(false);
    expect(drops.some((r) => new RegExp(`^(?:${r})$`).test('container_memory_working_set_bytes'))).toBe(false);
  });
  it('points every image at a mirror by tag when LAB_IMAGE_MIRROR is set', () => {
    expect(helmImage('grafana', 'registry.example.com/m9')).toEqual({ registry: 'registry.example.com', repository: 'm9/grafana/grafana', tag: '13.2.2', sha: '' });
  });
});

describe('cleanup of the chart\'s CRDs', () => {
  it('labels all ten CRDs, and the lab cleanup deletes labelled CRDs', () => {
    expect(stackCrds).toHaveLength(10);
    expect(stackCrds).toContain('servicemonitors.monitoring.coreos.com');
    expect(clusterKinds).toContain('customresourcedefinitions.apiextensions.k8s.io');
  });
});

describe('manifests', () => {
  it('labels the ServiceMonitor and PrometheusRule for the chart\'s Prometheus, and the wrong fixes leave the label out', () => {
    expect(serviceMonitor()).toMatchObject({ metadata: { labels: { release: 'm9-monitoring' } }, spec: { endpoints: [{ port: 'http' }] } });
    expect((serviceMonitor({ releaseLabel: false }) as { metadata: { labels: Record<string, string> } }).metadata.labels.release).toBeUndefined();
    expect(prometheusRule(memoryRule(`namespace="${ns}"`))).toMatchObject({ spec: { groups: [{ rules: [{ alert: 'ContainerMemoryNearLimit', for: '30s' }] }] } });
  });
  it('runs the side-loaded app image without pulling it', () => {
    expect(appDeployment('reports', { CACHE_MB: '200' }, '256Mi')).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'module9/lab-1-container-monitoring-checkout:local', imagePullPolicy: 'Never', resources: { limits: { memory: '256Mi' } } }] } } },
    });
  });
});

function fakeKube(answer: (args: string[]) => Partial<CommandResult>) {
  const calls: string[][] = [];
  return {
    calls,
    kube: {
      namespace: ns,
      context: 'kind-module9',
      tryKubectl: async (args: string[]) => {
        calls.push(args);
        return { command: '', exitCode: 0, stdout: '', stderr: '', ...answer(args) };
      },
    },
  };
}

describe('proxyGet', () => {
  it('asks the API server\'s service proxy, with the query string', async () => {
    const { kube, calls } = fakeKube(() => ({ stdout: '{"status":"success","data":{"resultType":"vector","result":[]}}' }));
    const api = proxyGet(kube, 'm9-kps-prometheus:http-web', 'Prometheus', 'next');
    await api.get('/api/v1/query', { query: 'up{job="checkout"}' });
    expect(calls[0]).toEqual(['get', '--raw', `/api/v1/namespaces/${ns}/services/m9-kps-prometheus:http-web/proxy/api/v1/query?query=up%7Bjob%3D%22checkout%22%7D`]);
  });
  it('passes Prometheus\'s own JSON error through, and turns anything else into Unreachable', async () => {
    const bad = fakeKube(() => ({ exitCode: 1, stderr: 'Error from server (BadRequest): {"status":"error","errorType":"bad_data","error":"parse error"}' }));
    expect(await proxyGet(bad.kube, 's', 'Prometheus', 'next').get('/api/v1/query')).toMatchObject({ status: 'error', errorType: 'bad_data' });
    const down = fakeKube(() => ({ exitCode: 1, stderr: 'Error from server (ServiceUnavailable): no endpoints available for service "m9-kps-prometheus"' }));
    await expect(proxyGet(down.kube, 's', 'Prometheus', 'check the Pod').get('/api/v1/targets')).rejects.toBeInstanceOf(Unreachable);
  });
});

describe('checkServiceMonitor', () => {
  const api = (active: Target[]): ApiClient => ({ name: 'Prometheus', next: 'n', get: async () => ({ status: 'success', data: { activeTargets: active } }) });
  it('passes for the ServiceMonitor target in the lab namespace, and ignores other namespaces', async () => {
    expect(await checkServiceMonitor(api(kindTargetsFixture), ns, 0)).toMatchObject({ status: 'pass', observed: expect.stringContaining(':8080/metrics') });
    const elsewhere = kindTargetsFixture.map((t) => ({ ...t, labels: { ...t.labels, namespace: 'default' } }));
    expect(await checkServiceMonitor(api(elsewhere), ns, 0)).toMatchObject({ code: 'no-checkout-target' });
  });
  it('fails with no-checkout-target when only the chart\'s own targets are there', () => {
    expect(judgeTargets(kindTargetsFixture.filter((t) => t.labels.job !== 'checkout'), kindTargets, '')).toMatchObject({ code: 'no-checkout-target' });
  });
});

describe('foreignCrds', () => {
  const crd = (name: string, labels?: Record<string, string>) => ({ metadata: { name, labels } });
  it('leaves alone the chart CRDs another install put there, and only those', () => {
    const stdout = JSON.stringify({
      items: [
        crd('servicemonitors.monitoring.coreos.com'),
        crd('podmonitors.monitoring.coreos.com', { 'module9.lab': 'lab-1-container-monitoring' }),
        crd('widgets.example.com'),
      ],
    });
    expect([...foreignCrds({ exitCode: 0, stdout })]).toEqual(['servicemonitors.monitoring.coreos.com']);
    expect(foreignCrds({ exitCode: 1, stdout: '' }).size).toBe(0);
  });
});

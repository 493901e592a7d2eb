import { describe, expect, it } from 'vitest';
import { decideContext, isLoopbackHost, type KubeconfigView } from './context-guard.ts';

function kubeconfig(entries: Record<string, string>): KubeconfigView {
  return {
    contexts: Object.keys(entries).map((name) => ({ name, context: { cluster: name } })),
    clusters: Object.entries(entries).map(([name, server]) => ({ name, cluster: { server } })),
  };
}

const config = kubeconfig({
  'kind-module9': 'https://127.0.0.1:41234',
  'kind-other': 'https://127.0.0.1:40000',
  'kind-stale': 'https://127.0.0.1:39000',
  'kind-remote': 'https://10.0.0.15:6443',
  'kind-public': 'https://203.0.113.10:6443',
  'kind-trick': 'https://127.0.0.1.nip.io:6443',
  'kind-lookalike': 'https://localhost.example.com:6443',
  'kind-allzero': 'https://0.0.0.0:6443',
  'kind-v6': 'https://[::1]:6443',
  'docker-desktop': 'https://127.0.0.1:6443',
  minikube: 'https://192.168.49.2:8443',
  'prod-eu': 'https://prod.example.com',
  'gke_acme_europe-west1_prod': 'https://34.76.0.1',
  'arn:aws:eks:eu-west-1:123456789012:cluster/prod': 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  'kind-nourl': 'not a url',
});
const kindClusters = ['module9', 'other', 'remote', 'public', 'trick', 'lookalike', 'allzero', 'v6', 'nourl'];

describe('decideContext: allowed', () => {
  it('uses kind-module9 by default when kind lists it and it is on loopback', () => {
    expect(decideContext({ confirmed: false, kindClusters, kubeconfig: config })).toEqual({ allowed: true, context: 'kind-module9' });
  });

  it('accepts another local kind cluster by name without confirmation', () => {
    expect(decideContext({ requested: 'kind-other', confirmed: false, kindClusters, kubeconfig: config })).toEqual({ allowed: true, context: 'kind-other' });
    expect(decideContext({ requested: 'kind-v6', confirmed: false, kindClusters, kubeconfig: config })).toMatchObject({ allowed: true });
  });

  it('accepts any named context with --confirm-context, with a warning', () => {
    const decision = decideContext({ requested: 'prod-eu', confirmed: true, kindClusters, kubeconfig: config });
    expect(decision).toMatchObject({ allowed: true, context: 'prod-eu' });
    expect(decision.allowed && decision.warning).toMatch(/not a kind context.*--confirm-context/);
  });
});

describe('decideContext: refused without confirmation', () => {
  const refused: [string, RegExp][] = [
    ['prod-eu', /not a kind context/],
    ['gke_acme_europe-west1_prod', /not a kind context/],
    ['arn:aws:eks:eu-west-1:123456789012:cluster/prod', /not a kind context/],
    ['docker-desktop', /not a kind context/],
    ['minikube', /not a kind context/],
    ['kind-stale', /kind does not list a cluster "stale"/],
    ['kind-remote', /API server https:\/\/10\.0\.0\.15:6443 is not on this machine's loopback/],
    ['kind-public', /not on this machine's loopback/],
    ['kind-trick', /127\.0\.0\.1\.nip\.io.*not on this machine's loopback/],
    ['kind-lookalike', /localhost\.example\.com.*not on this machine's loopback/],
    ['kind-allzero', /0\.0\.0\.0.*not on this machine's loopback/],
    ['kind-nourl', /is not a URL/],
  ];
  for (const [context, reason] of refused) {
    it(`refuses ${context}, and says how to override`, () => {
      const decision = decideContext({ requested: context, confirmed: false, kindClusters, kubeconfig: config });
      expect(decision.allowed).toBe(false);
      if (decision.allowed) return;
      expect(decision.reason).toMatch(reason);
      expect(decision.next).toBe(`If you really mean this cluster, run again with: --context ${context} --confirm-context`);
    });
  }

  it('refuses a context that is not in the kubeconfig, even with confirmation', () => {
    const decision = decideContext({ requested: 'kind-missing', confirmed: true, kindClusters, kubeconfig: config });
    expect(decision).toMatchObject({ allowed: false, next: 'List them with: kubectl config get-contexts' });
  });

  it('tells you to create the lab cluster when it does not exist', () => {
    const decision = decideContext({ confirmed: false, kindClusters: [], kubeconfig: kubeconfig({ 'prod-eu': 'https://prod.example.com' }) });
    expect(decision).toEqual({ allowed: false, reason: expect.stringMatching(/lab cluster is not running/), next: 'Create it with: npm run lab -- cluster up' });
  });

  it('refuses the default context when kind no longer lists it (a stale kubeconfig entry)', () => {
    const decision = decideContext({ confirmed: false, kindClusters: ['other'], kubeconfig: config });
    expect(decision).toMatchObject({ allowed: false, next: 'Create the lab cluster with: npm run lab -- cluster up' });
  });

  it('never uses the current context: the kubeconfig current-context plays no part', () => {
    const withCurrent = { ...config, 'current-context': 'prod-eu' } as KubeconfigView;
    expect(decideContext({ confirmed: false, kindClusters, kubeconfig: withCurrent })).toMatchObject({ context: 'kind-module9' });
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from look-alikes', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['127.0.0.1.nip.io', 'localhost.example.com', '0.0.0.0', '10.0.0.1', '128.0.0.1', '127.0.0.256', '::2']) expect(isLoopbackHost(host)).toBe(false);
  });
});

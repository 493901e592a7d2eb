// Check logic of the Kubernetes part on kubectl JSON written in the shape the API reference gives
// for core/v1 Service and Pod, apps/v1 Deployment and discovery.k8s.io/v1 EndpointSlice
// (fixtures/kind/), as `kubectl get -o json` prints them for the shop this scenario applies. The
// steps themselves run in the GitHub workflow labs-kind.yml.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { diagnoseTruth, judgeAnswers, judgeShop, judgeSymptom, servicesMissingPods, windowScript, type Deployment, type EndpointSlice, type Pod, type ServiceObject } from './kind-steps.ts';
import { service, shopManifest } from './manifests.ts';
import type { Service } from './shop.ts';

const json = <T>(name: string) => JSON.parse(readFileSync(new URL(`fixtures/kind/${name}`, import.meta.url), 'utf8')) as T;
const services = () => json<{ items: ServiceObject[] }>('services-broken.json').items;
const pods = () => json<{ items: Pod[] }>('pods.json').items;
const deployments = (): Record<Service, Deployment> => {
  const items = json<{ items: Deployment[] }>('deployments.json').items;
  return Object.fromEntries(items.map((d) => [d.metadata.name, d])) as Record<Service, Deployment>;
};
const fixedServices = () => services().map((s) => (s.metadata.name === 'inventory' ? { ...s, spec: { ...s.spec, ports: [{ ...s.spec.ports[0]!, targetPort: 'http' }] } } : s));

describe('the manifests', () => {
  it('apply the Service the fixtures show: inventory sends to 8081, the others to the named port', () => {
    const docs = YAML.parseAllDocuments(shopManifest()).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: ServiceObject['spec'] });
    const svcs = docs.filter((d) => d.kind === 'Service');
    expect(svcs.map((s) => [s.metadata.name, s.spec.ports[0]!.targetPort])).toEqual([['storefront', 'http'], ['orders', 'http'], ['inventory', 8081]]);
    expect(docs.filter((d) => d.kind === 'Deployment')).toHaveLength(3);
    expect(YAML.parse(service('orders')).spec.selector).toEqual({ app: 'orders' });
  });
});

describe('the diagnosis', () => {
  it('names inventory: its targetPort is no port the inventory Pod declares', () => {
    expect(servicesMissingPods(services(), pods())).toEqual([{ name: 'inventory', why: 'no selected Pod serves port 8081' }]);
    expect(diagnoseTruth(services(), pods())).toEqual(['inventory', 'inventory service', 'service/inventory', 'svc/inventory']);
  });

  it('accepts a numeric targetPort that matches, and finds a selector that matches nothing', () => {
    const numeric = services().map((s) => ({ ...s, spec: { ...s.spec, ports: [{ ...s.spec.ports[0]!, targetPort: 8080 }] } }));
    expect(servicesMissingPods(numeric, pods())).toEqual([]);
    const renamed = fixedServices().map((s) => (s.metadata.name === 'orders' ? { ...s, spec: { ...s.spec, selector: { app: 'order' } } } : s));
    expect(diagnoseTruth(renamed, pods())).toEqual(['orders', 'orders service', 'service/orders', 'svc/orders']);
  });

  it('has no answer once the Service is fixed', () => {
    expect(diagnoseTruth(fixedServices(), pods())).toEqual([]);
  });
});

describe('judgeSymptom', () => {
  it('passes on a 502 while the EndpointSlice lists a ready address on the Service\'s target', () => {
    const slices = json<{ items: EndpointSlice[] }>('endpointslices-inventory.json').items;
    expect(slices[0]!.ports).toEqual([{ name: 'web', port: 8081, protocol: 'TCP' }]);
    expect(judgeSymptom(json('window-broken.json'), slices)).toMatchObject({ status: 'pass', observed: expect.stringContaining('10.244.0.14 on port 8081') });
    expect(judgeSymptom(json('window-fixed.json'), slices)).toMatchObject({ code: 'no-symptom' });
  });
});

describe('judgeShop', () => {
  it('lets the request decide when the shop is deployed as it should be', () => {
    expect(judgeShop(deployments(), services(), pods())).toBeNull();
    expect(judgeShop(deployments(), fixedServices(), pods())).toBeNull();
  });

  it('rejects a hard-coded Pod address in orders', () => {
    const d = deployments();
    d.orders.spec.template.spec.containers[0]!.env = [{ name: 'INVENTORY_URL', value: 'http://10.244.0.14:8080' }];
    expect(judgeShop(d, services(), pods())).toMatchObject({ code: 'hard-coded-address' });
  });

  it('rejects inventory scaled to zero, a deleted Service, a deleted Deployment and hostNetwork', () => {
    const zero = deployments();
    zero.inventory.spec.replicas = 0;
    expect(judgeShop(zero, services(), pods())).toMatchObject({ code: 'scaled-to-zero' });
    expect(judgeShop(deployments(), fixedServices().filter((s) => s.metadata.name !== 'inventory'), pods())).toMatchObject({ code: 'service-missing' });
    expect(judgeShop({ ...deployments(), inventory: null }, services(), pods())).toMatchObject({ code: 'deployment-missing' });
    const host = deployments();
    host.inventory.spec.template.spec.hostNetwork = true;
    expect(judgeShop(host, fixedServices(), pods())).toMatchObject({ code: 'host-network' });
  });

  it('waits while a Deployment rolls out', () => {
    const rolling = deployments();
    rolling.orders.metadata.generation = 2;
    expect(judgeShop(rolling, fixedServices(), pods())).toMatchObject({ code: 'rollout-in-progress' });
  });
});

describe('judgeAnswers', () => {
  it('fails on the 502s, passes only when every request of the window is a ready checkout', () => {
    expect(judgeAnswers(json('window-broken.json'))).toMatchObject({ code: 'checkout-failing', reason: expect.stringContaining('connect ECONNREFUSED 10.96.183.25:80') });
    expect(judgeAnswers(json('window-fixed.json'))).toMatchObject({ status: 'pass' });
    const once = [...json<{ status: number; body: string }[]>('window-fixed.json').slice(0, 4), { status: 0, body: 'getaddrinfo ENOTFOUND inventory' }];
    expect(judgeAnswers(once)).toMatchObject({ code: 'checkout-failing', reason: expect.stringContaining('request 5 of 5') });
  });

  it('the in-Pod script sends the customer\'s request through the storefront Service', () => {
    const script = windowScript(5, 1000);
    expect(script).toContain("fetch('http://storefront/checkout?sku=sku-coffee-beans&qty=2'");
    expect(script).toContain('i < 5');
  });
});

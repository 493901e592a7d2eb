// Check logic of the kind part on kubectl JSON. The fixtures in fixtures/kind/ follow the shape
// of `kubectl get -o json` for Kubernetes 1.37 (Pod, Deployment, Event, Service, EndpointSlice,
// PersistentVolumeClaim, StorageClass), written from the API reference and trimmed to what
// matters; they are not captured from a cluster, because kind cannot run on our CI machine.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  catalogTruth, checkoutTruth, intact, invoicesTruth, judgeCatalog, judgeCheckout, judgeInvoices, judgeReorder, judgeReports, judgeThumbnails,
  kindSteps, newEvents, reorderTruth, reportsTruth, thumbnailsTruth,
  type Claim, type Deployment, type EndpointSlice, type KubeEvent, type List, type Pod, type ServiceObject, type StorageClass, type Watch,
} from './kind-steps.ts';
import { catalogService, checkout, manifestAnnotation, reports, reportsClaim } from './kind-manifests.ts';

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`fixtures/kind/${name}.json`, import.meta.url), 'utf8')) as T;
const copy = <T>(value: T): T => structuredClone(value);
const items = <T>(list: List<T>) => copy(list.items);
// Fixture times are fixed; "now" is a few minutes after them, so no Pod counts as just started.
const now = Date.parse('2026-11-26T10:30:00Z');

describe('checkout: restarts with a log that points elsewhere', () => {
  const f = load<{ deployment: Deployment; podsCrashLoop: List<Pod>; podsRunningBetweenKills: List<Pod>; events: List<KubeEvent> }>('checkout');
  const watch = (pods: Pod[], events = items(f.events), d: Deployment | null = copy(f.deployment)): Watch => ({ d, pods, events });
  const fixedDeployment = () => {
    const d = copy(f.deployment);
    d.spec.template.spec.containers[0]!.livenessProbe!.httpGet!.port = 8080;
    d.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1 };
    return d;
  };
  const healthyPods = () => {
    const pods = items(f.podsRunningBetweenKills);
    pods[0]!.metadata.name = 'm9-checkout-7f8e9d0c1b-z5y6x';
    pods[0]!.status.containerStatuses![0]!.restartCount = 0;
    pods[0]!.status.containerStatuses![0]!.lastState = {};
    return pods;
  };

  it('fails with restarting on a container in CrashLoopBackOff, naming exit code 137 and reason Error', () => {
    const w = watch(items(f.podsCrashLoop));
    expect(judgeCheckout(w, w, now)).toMatchObject({ code: 'restarting', reason: expect.stringMatching(/restarted 3 times \(last exit: exit code 137, reason Error, now CrashLoopBackOff\)/) });
  });

  it('fails with restarting when the RestartCount rises during the watch window', () => {
    const before = watch(items(f.podsRunningBetweenKills));
    const after = watch(items(f.podsRunningBetweenKills));
    after.pods[0]!.status.containerStatuses![0]!.restartCount = 4;
    expect(judgeCheckout(before, before, now)).toMatchObject({ status: 'pass' });
    expect(judgeCheckout(before, after, now)).toMatchObject({ code: 'restarting', reason: expect.stringMatching(/RestartCount 3 -> 4/) });
  });

  it('passes a fixed probe: ready, no restart and no failed liveness probe while watched', () => {
    const w = watch(healthyPods(), items(f.events), fixedDeployment());
    expect(judgeCheckout(w, w, now)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/RestartCount 0, unchanged/) });
  });

  it('rejects removing the probe, a huge failureThreshold, scaling to zero and deleting the Deployment', () => {
    const noProbe = copy(f.deployment);
    delete noProbe.spec.template.spec.containers[0]!.livenessProbe;
    expect(judgeCheckout(watch(healthyPods(), [], noProbe), watch(healthyPods(), [], noProbe), now)).toMatchObject({ code: 'no-liveness-probe' });

    const patient = copy(f.deployment);
    patient.spec.template.spec.containers[0]!.livenessProbe!.failureThreshold = 1000;
    patient.status = fixedDeployment().status;
    const pods = healthyPods();
    const failing = (count: number): KubeEvent => ({ ...copy(f.events.items[1]!), involvedObject: { kind: 'Pod', name: pods[0]!.metadata.name }, count });
    expect(judgeCheckout(watch(pods, [failing(3)], patient), watch(pods, [failing(9)], patient), now)).toMatchObject({ code: 'liveness-failing', reason: expect.stringMatching(/8081\/healthz/) });

    const zero = fixedDeployment();
    zero.spec.replicas = 0;
    expect(judgeCheckout(watch([], [], zero), watch([], [], zero), now)).toMatchObject({ code: 'scaled-down' });
    expect(judgeCheckout(watch([], [], null), watch([], [], null), now)).toMatchObject({ code: 'deployment-missing' });
  });

  it('treats a rollout that is not finished as transient', () => {
    const d = fixedDeployment();
    d.metadata.generation = 2;
    expect(judgeCheckout(watch(healthyPods(), [], d), watch(healthyPods(), [], d), now)).toMatchObject({ code: 'rollout-in-progress' });
  });

  it('newEvents sees a new event and an old one seen again, not an unchanged one', () => {
    const events = items(f.events);
    const again = copy(events);
    again[1]!.count = 9;
    again[1]!.lastTimestamp = '2026-11-26T09:14:02Z';
    expect(newEvents(events, events)).toEqual([]);
    expect(newEvents(events, again).map((e) => e.reason)).toEqual(['Unhealthy']);
    expect(newEvents(events.slice(0, 1), events)).toHaveLength(3);
  });

  it('truth: the liveness probe and its port, from the events of the current Pods', () => {
    const truth = checkoutTruth(items(f.podsCrashLoop), items(f.events));
    expect(truth).toEqual(expect.arrayContaining(['liveness probe', 'livenessProbe', 'liveness probe port 8081', 'port 8081']));
    for (const wrong of ['payment gateway', 'OOMKilled', 'readiness probe']) expect(truth).not.toContain(wrong);
    expect(checkoutTruth(healthyPods(), items(f.events))).toEqual([]);
  });
});

describe('thumbnails: a container that keeps being killed', () => {
  const f = load<{ deployment: Deployment; podsKilled: List<Pod>; podsFixed: List<Pod>; resizerLog: string }>('thumbnails');
  const lastBatch = f.resizerLog.trim().split('\n').at(-1)!;
  const fixed = () => {
    const d = copy(f.deployment);
    d.spec.template.spec.containers[0]!.resources = { requests: { memory: '160Mi' }, limits: { memory: '160Mi' } };
    d.status = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1 };
    d.metadata.generation = 2;
    return { d, pods: items(f.podsFixed), lastBatch };
  };

  it('fails with oom-killed, naming the resizer, exit code 137 and the restarts', () => {
    const w = { d: copy(f.deployment), pods: items(f.podsKilled), lastBatch: '' };
    expect(judgeThumbnails(w, w, now)).toMatchObject({ code: 'oom-killed', reason: expect.stringMatching(/Container resizer of m9-thumbnails-7b8c9d6f4e-k2m9p was killed \(exit code 137, reason OOMKilled\) and has restarted 2 times/) });
  });

  it('passes a resizer with room for its batch that finishes batches while watched', () => {
    expect(judgeThumbnails(fixed(), fixed(), now)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/memory limit of 160Mi; the resizer says "resizer: batch 2 done"/) });
  });

  it('rejects removing the limit, a limit still too small, and failing batches', () => {
    const unlimited = fixed();
    delete unlimited.d.spec.template.spec.containers[0]!.resources!.limits;
    expect(judgeThumbnails(unlimited, unlimited, now)).toMatchObject({ code: 'no-memory-limit' });

    const tooSmall = { ...fixed(), pods: items(f.podsKilled) };
    tooSmall.d.spec.template.spec.containers[0]!.resources = { requests: { memory: '64Mi' }, limits: { memory: '80Mi' } };
    expect(judgeThumbnails(tooSmall, tooSmall, now)).toMatchObject({ code: 'oom-killed' });

    const failing = { ...fixed(), lastBatch: 'resizer: batch 3 failed' };
    expect(judgeThumbnails(failing, failing, now)).toMatchObject({ code: 'batches-failing' });

    const later = fixed();
    later.pods[0]!.status.containerStatuses![0]!.restartCount = 1;
    expect(judgeThumbnails(fixed(), later, now)).toMatchObject({ code: 'restarting' });
  });

  it('truth: the one container whose last exit was OOMKilled', () => {
    expect(thumbnailsTruth(items(f.podsKilled))).toEqual(expect.arrayContaining(['resizer', 'resizer container', 'the resizer container']));
    expect(thumbnailsTruth(items(f.podsKilled))).not.toContain('uploader');
    expect(thumbnailsTruth(items(f.podsFixed))).toEqual([]);
  });
});

describe('invoices: a Pod that is never scheduled', () => {
  const f = load<{ deployment: Deployment; podsPending: List<Pod> }>('invoices');
  const withRequest = (memory?: string) => {
    const d = copy(f.deployment);
    d.spec.template.spec.containers[0]!.resources = { requests: { cpu: '50m', ...(memory ? { memory } : {}) } };
    return d;
  };
  const running = () => {
    const pods = items(f.podsPending);
    pods[0]!.status = { phase: 'Running', startTime: '2026-11-26T09:35:00Z', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'invoices', ready: true, restartCount: 0, state: { running: {} } }] };
    return pods;
  };

  it('fails with unschedulable and the scheduler message', () => {
    expect(judgeInvoices(copy(f.deployment), items(f.podsPending), now)).toMatchObject({ code: 'unschedulable', reason: expect.stringMatching(/Unschedulable: 0\/1 nodes are available: 1 Insufficient memory/) });
  });

  it('passes a request the node can hold, written in either unit', () => {
    for (const memory of ['256Mi', '256M', '300M']) {
      const d = withRequest(memory);
      d.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1 };
      expect(judgeInvoices(d, running(), now)).toMatchObject({ status: 'pass' });
    }
  });

  it('rejects removing the request, a request below the need, and deleting the Deployment', () => {
    expect(judgeInvoices(withRequest(), running(), now)).toMatchObject({ code: 'no-memory-request' });
    expect(judgeInvoices(withRequest('32Mi'), running(), now)).toMatchObject({ code: 'request-too-small' });
    expect(judgeInvoices(null, [], now)).toMatchObject({ code: 'deployment-missing' });
  });

  it('truth: the resource the scheduler names, not another', () => {
    const truth = invoicesTruth(items(f.podsPending));
    expect(truth).toEqual(expect.arrayContaining(['memory', 'memory request', 'requests.memory']));
    for (const wrong of ['cpu', 'taint', 'image']) expect(truth).not.toContain(wrong);
    expect(invoicesTruth(running())).toEqual([]);
  });
});

describe('catalog: a Service that reaches no Pod', () => {
  const f = load<{ deployment: Deployment; service: ServiceObject; pods: List<Pod>; slicesEmpty: List<EndpointSlice>; slicesReady: List<EndpointSlice>; storefrontResponse: string }>('catalog');
  const fixedService = () => {
    const svc = copy(f.service);
    svc.spec.selector = { app: 'm9-catalog', version: 'v2' };
    return svc;
  };

  it('fails with no-endpoints while the EndpointSlices list no Pod', () => {
    expect(judgeCatalog(copy(f.deployment), copy(f.service), items(f.slicesEmpty), '')).toMatchObject({ code: 'no-endpoints', reason: expect.stringMatching(/endpointslices -l kubernetes.io\/service-name=m9-catalog/) });
  });

  it('passes a selector that picks the Deployment\'s Pods, whichever way it is written', () => {
    expect(judgeCatalog(copy(f.deployment), fixedService(), items(f.slicesReady), f.storefrontResponse)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/reaches 2 catalog Pods/) });
    const appOnly = copy(f.service);
    appOnly.spec.selector = { app: 'm9-catalog' };
    expect(judgeCatalog(copy(f.deployment), appOnly, items(f.slicesReady), f.storefrontResponse)).toMatchObject({ status: 'pass' });
  });

  it('rejects a hand-made Pod, a deleted Service, no selector and zero replicas', () => {
    const extra: EndpointSlice[] = [{ endpoints: [{ addresses: ['10.244.0.40'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'm9-catalog-extra' } }] }];
    expect(judgeCatalog(copy(f.deployment), copy(f.service), extra, f.storefrontResponse)).toMatchObject({ code: 'pods-not-from-deployment', reason: expect.stringMatching(/reaches m9-catalog-extra/) });
    expect(judgeCatalog(copy(f.deployment), null, [], '')).toMatchObject({ code: 'service-missing' });
    const bare = copy(f.service);
    delete bare.spec.selector;
    expect(judgeCatalog(copy(f.deployment), bare, [], '')).toMatchObject({ code: 'no-selector' });
    const zero = copy(f.deployment);
    zero.spec.replicas = 0;
    expect(judgeCatalog(zero, fixedService(), [], '')).toMatchObject({ code: 'scaled-down' });
  });

  it('waits while the endpoints catch up, and fails when the page does not come back', () => {
    const one = items(f.slicesReady);
    one[0]!.endpoints = one[0]!.endpoints!.slice(0, 1);
    expect(judgeCatalog(copy(f.deployment), fixedService(), one, f.storefrontResponse)).toMatchObject({ code: 'endpoints-updating' });
    expect(judgeCatalog(copy(f.deployment), fixedService(), items(f.slicesReady), 'nc: can\'t connect to remote host (10.96.142.37): Connection refused')).toMatchObject({ code: 'no-response' });
  });

  it('truth: the selector and the key the Pods do not match', () => {
    const truth = catalogTruth(copy(f.service), items(f.pods));
    expect(truth).toEqual(expect.arrayContaining(['selector', 'spec.selector', 'version=v1', 'version label']));
    for (const wrong of ['targetPort', 'port', 'clusterIP']) expect(truth).not.toContain(wrong);
    expect(catalogTruth(fixedService(), items(f.pods))).toEqual([]);
  });
});

describe('reorder: a name that does not resolve', () => {
  const f = load<{ deployment: Deployment; pods: List<Pod>; kubeDns: ServiceObject; resolvDefault: string; nslookupFailed: string; nslookupResolved: string; inventoryResponse: string }>('reorder');
  const failed = { ok: false, out: f.nslookupFailed };
  const resolved = { ok: true, out: f.nslookupResolved };

  it('fails with name-not-resolved and the last nslookup line', () => {
    expect(judgeReorder(copy(f.deployment), items(f.pods), failed, { ok: false, out: '' }, now)).toMatchObject({ code: 'name-not-resolved', reason: expect.stringMatching(/NXDOMAIN\)\. Compare the Pod's \/etc\/resolv.conf/) });
  });

  it('passes when DNS resolves the name and the inventory answers', () => {
    expect(judgeReorder(copy(f.deployment), items(f.pods), resolved, { ok: true, out: f.inventoryResponse }, now)).toMatchObject({ status: 'pass' });
    expect(judgeReorder(copy(f.deployment), items(f.pods), resolved, { ok: false, out: 'nc: can\'t connect to remote host' }, now)).toMatchObject({ code: 'no-response' });
  });

  it('rejects a fixed hosts entry and zero replicas', () => {
    const pinned = copy(f.deployment);
    pinned.spec.template.spec.hostAliases = [{ ip: '10.96.88.14', hostnames: ['m9-inventory'] }];
    expect(judgeReorder(pinned, items(f.pods), failed, { ok: true, out: f.inventoryResponse }, now)).toMatchObject({ code: 'hosts-file-only' });
    const zero = copy(f.deployment);
    zero.spec.replicas = 0;
    expect(judgeReorder(zero, [], failed, failed, now)).toMatchObject({ code: 'scaled-down' });
  });

  it('truth: the dnsPolicy of the running Pod; the captured resolv.conf does not name the cluster DNS', () => {
    expect(reorderTruth(items(f.pods), f.kubeDns.spec.clusterIP)).toEqual(expect.arrayContaining(['dnsPolicy', 'dns policy', 'dnsPolicy: Default']));
    expect(f.resolvDefault).not.toContain(f.kubeDns.spec.clusterIP);
    const fixed = items(f.pods);
    fixed[0]!.spec.dnsPolicy = 'ClusterFirst';
    expect(reorderTruth(fixed, f.kubeDns.spec.clusterIP)).toEqual([]);
  });
});

describe('reports: a claim that stays Pending', () => {
  const f = load<{ deployment: Deployment; podsPending: List<Pod>; claimPending: List<Claim>; claimBound: List<Claim>; storageClasses: List<StorageClass>; events: List<KubeEvent> }>('reports');
  const running = () => {
    const pods = items(f.podsPending);
    pods[0]!.spec = { ...pods[0]!.spec };
    pods[0]!.status = { phase: 'Running', startTime: '2026-11-26T10:05:00Z', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'reports', ready: true, restartCount: 0, state: { running: {} } }] };
    return pods;
  };
  const settled = () => {
    const d = copy(f.deployment);
    d.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1 };
    return d;
  };

  it('fails with claim-pending while the claim names a class the cluster does not have', () => {
    expect(judgeReports(copy(f.deployment), items(f.podsPending), items(f.claimPending), items(f.storageClasses), false, now)).toMatchObject({ code: 'claim-pending', reason: expect.stringMatching(/kubectl describe pvc m9-reports-data/) });
    expect(f.events.items.find((e) => e.reason === 'ProvisioningFailed')?.message).toBe('storageclass.storage.k8s.io "fast-ssd" not found');
  });

  it('passes a bound claim that the running Pod writes to', () => {
    expect(judgeReports(settled(), running(), items(f.claimBound), items(f.storageClasses), true, now)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/Bound \(volume pvc-3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7, class standard\)/) });
    expect(judgeReports(settled(), running(), items(f.claimBound), items(f.storageClasses), false, now)).toMatchObject({ code: 'not-writing' });
  });

  it('waits while a claim of an existing class binds (WaitForFirstConsumer)', () => {
    const binding = items(f.claimPending);
    binding[0]!.spec.storageClassName = 'standard';
    expect(judgeReports(copy(f.deployment), items(f.podsPending), binding, items(f.storageClasses), false, now)).toMatchObject({ code: 'claim-binding' });
  });

  it('rejects an emptyDir, a missing claim and a deleted Deployment', () => {
    const ephemeral = settled();
    ephemeral.spec.template.spec.volumes = [{ name: 'data', emptyDir: {} }];
    expect(judgeReports(ephemeral, running(), [], items(f.storageClasses), true, now)).toMatchObject({ code: 'not-persistent', reason: expect.stringMatching(/it is emptyDir/) });
    expect(judgeReports(settled(), running(), [], items(f.storageClasses), true, now)).toMatchObject({ code: 'claim-missing' });
    expect(judgeReports(null, [], [], [], false, now)).toMatchObject({ code: 'deployment-missing' });
  });

  it('truth: the class the claim asks for, which the cluster lacks', () => {
    const truth = reportsTruth(items(f.claimPending), items(f.storageClasses));
    expect(truth).toEqual(expect.arrayContaining(['storageClassName', 'storage class', 'fast-ssd']));
    for (const wrong of ['size', 'accessModes', 'WaitForFirstConsumer']) expect(truth).not.toContain(wrong);
    expect(reportsTruth(items(f.claimBound), items(f.storageClasses))).toEqual([]);
  });
});

describe('setup: objects are recreated unless exactly as the lab made them', () => {
  const annotations = (m: { metadata: { annotations?: Record<string, string> } }) => ({ [manifestAnnotation]: m.metadata.annotations![manifestAnnotation]! });

  it('keeps an untouched Deployment and replaces a changed one', () => {
    const live = { metadata: { name: 'm9-checkout', generation: 1, annotations: annotations(checkout) }, spec: copy(checkout.spec) } as unknown as Deployment;
    expect(intact(live, checkout)).toBe(true);
    expect(intact({ ...live, metadata: { ...live.metadata, generation: 2 } }, checkout)).toBe(false);
    expect(intact({ ...live, metadata: { ...live.metadata, annotations: { [manifestAnnotation]: 'other' } } }, checkout)).toBe(false);
    expect(intact(null, checkout)).toBe(false);
  });

  it('compares a Service by its selector and a claim by its class', () => {
    const svc = { metadata: { name: 'm9-catalog', annotations: annotations(catalogService) }, spec: { selector: { app: 'm9-catalog', version: 'v1' } } };
    expect(intact(svc, catalogService)).toBe(true);
    expect(intact({ ...svc, spec: { selector: { app: 'm9-catalog', version: 'v2' } } }, catalogService)).toBe(false);
    const claim = reportsClaim();
    expect(intact({ metadata: { name: 'm9-reports-data', annotations: annotations(claim) }, spec: { storageClassName: 'fast-ssd' } }, claim)).toBe(true);
    expect(intact({ metadata: { name: 'm9-reports-data', annotations: annotations(claim) }, spec: { storageClassName: 'standard' } }, claim)).toBe(false);
  });

  it('labels every object for cleanup and runs only the pinned busybox image', () => {
    for (const m of [checkout, reports, catalogService, reportsClaim()]) expect(m.metadata.labels).toMatchObject({ 'module9.lab': 'lab-3-debugging-scenarios' });
    expect(JSON.stringify(checkout)).toMatch(/busybox:1\.(37\.0@sha256|35\.0-debian12)/);
  });
});

describe('the kind steps', () => {
  it('pair a diagnose step with each fix step, named after the symptom', () => {
    expect(kindSteps.map((s) => s.id)).toEqual([
      'checkout-keeps-restarting-diagnose', 'checkout-keeps-restarting',
      'thumbnails-keep-restarting-diagnose', 'thumbnails-keep-restarting',
      'invoices-never-start-diagnose', 'invoices-never-start',
      'catalog-unreachable-diagnose', 'catalog-unreachable',
      'reorder-cannot-reach-inventory-diagnose', 'reorder-cannot-reach-inventory',
      'reports-stay-pending-diagnose', 'reports-stay-pending',
    ]);
    for (const step of kindSteps) expect(step.target).toBe('kind');
  });
});

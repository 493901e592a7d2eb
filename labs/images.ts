// Every image the labs use, pinned by tag and digest, in one list. Point the whole list at a
// mirror registry with one setting, LAB_IMAGE_MIRROR (see resolveImage in lib/images.ts).
// Digests were read from public pins of these tags; the kind workflow pulls by digest, so a
// wrong digest fails there rather than silently running other content.

export interface PinnedImage {
  /** Registry host and repository path, e.g. docker.io/library/busybox. */
  repository: string;
  tag: string;
  digest: string;
  /** Which labs use it, and for what. */
  usedBy: string;
  /**
   * When `npm run lab -- images local` can build a stand-in from Debian or npm packages (for
   * machines with no registry, like our CI): the tag it gets under the local mirror, which names
   * the version actually inside (e.g. `2.42.0-debian12`), and where it comes from.
   */
  local?: { tag: string; from: string };
}

export const images = {
  busybox: {
    repository: 'docker.io/library/busybox',
    tag: '1.37.0',
    digest: 'sha256:9db7b59979c38555a39def84a31fb98b5296952f9e3afd4f6f11f05b07adfab0',
    usedBy: 'Labs 2, 3 and 5, the scenarios and the notebooks: small workloads with a shell (docker and kind parts)',
    local: { tag: '1.35.0-debian12', from: "Debian 12's busybox-static 1.35.0" },
  },
  node: {
    repository: 'docker.io/library/node',
    tag: '24.21.0-bookworm-slim',
    digest: 'sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6',
    usedBy: 'the sample services of Labs 1, 4 and 5 and the scenarios, built with lib/app-image.ts',
    local: { tag: '24.21.0-npm', from: 'the Node.js 24.21.0 binary of the npm `node` package this repository pins' },
  },
  prometheus: {
    repository: 'docker.io/prom/prometheus',
    tag: 'v3.14.0',
    digest: 'sha256:5ce7540c3c00ef4ab0c9d2c995c6a5b9c421f44b4a115d97a2c7af3b1c21cbb0',
    usedBy: 'Lab 1: the Prometheus server that scrapes the sample app and evaluates the alert rule (docker part)',
    local: { tag: '2.42.0-debian12', from: "Debian 12's prometheus 2.42.0 package" },
  },
  nodeExporter: {
    repository: 'docker.io/prom/node-exporter',
    tag: 'v1.12.1',
    digest: 'sha256:1b4e4438faca4dd7e001dd445d161a4a2091b0fededa84093b3a8dfeae1f1be0',
    usedBy: 'Lab 1: host metrics (docker part)',
    local: { tag: '1.5.0-debian12', from: "Debian 12's prometheus-node-exporter 1.5.0 package" },
  },
  alertmanager: {
    repository: 'docker.io/prom/alertmanager',
    tag: 'v0.34.1',
    digest: 'sha256:e9733bafb1bdef9b00e25a21f8f99dc26a22224bf16641ad754d1649f4c3357a',
    usedBy: 'Lab 1: receives the alert the rule fires (docker part)',
    local: { tag: '0.25.0-debian12', from: "Debian 12's prometheus-alertmanager 0.25.0 package" },
  },
  cadvisor: {
    repository: 'ghcr.io/google/cadvisor',
    tag: 'v0.60.5',
    digest: 'sha256:763aecf1c32c2be8a1a75f9abfc2fc461005c9dbbaa39cb356b354aac1296dbe',
    usedBy: 'Lab 1: per-container CPU and memory metrics for Prometheus (docker part); gcr.io/cadvisor/cadvisor stops at v0.55.1, later releases are on ghcr.io',
  },
  grafana: {
    repository: 'docker.io/grafana/grafana',
    tag: '13.2.2',
    digest: 'sha256:ac461fb352abc50da10a51c7d02462e9c05488f11f53f14b3ad79a8145f638a0',
    usedBy: 'Lab 1: the dashboard provisioned from files (docker part) and from a ConfigMap (kind part, through kube-prometheus-stack)',
  },
  prometheusOperator: {
    repository: 'quay.io/prometheus-operator/prometheus-operator',
    tag: 'v0.93.1',
    digest: 'sha256:e52bb28fd41c98dd407c7a8cba8bdcfe7eabd7447e250afaf1fe7bb816dedbff',
    usedBy: 'Lab 1: the Prometheus Operator of kube-prometheus-stack 88.5.3 (kind part)',
  },
  prometheusConfigReloader: {
    repository: 'quay.io/prometheus-operator/prometheus-config-reloader',
    tag: 'v0.93.1',
    digest: 'sha256:428f088fe6fe07ab138bda92113664b04848a1dc408e4d3680a60ecdb55d1a65',
    usedBy: 'Lab 1: the sidecar that reloads Prometheus when the operator rewrites its configuration (kind part)',
  },
  k8sSidecar: {
    repository: 'ghcr.io/kiwigrid/k8s-sidecar',
    tag: '2.11.2',
    digest: 'sha256:2912be006f62f9ea080194cf6d3afcd90daead8d101d0ba686a137a849f6a4f6',
    usedBy: "Lab 1: Grafana's sidecar that loads dashboards and data sources from labelled ConfigMaps (kind part)",
  },
  metricsServer: {
    repository: 'registry.k8s.io/metrics-server/metrics-server',
    tag: 'v0.8.1',
    digest: 'sha256:b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c41',
    usedBy: 'Lab 2: the Metrics API that kubectl top and the HorizontalPodAutoscaler read (kind part)',
  },
  jaeger: {
    repository: 'docker.io/jaegertracing/jaeger',
    tag: '2.20.0',
    digest: 'sha256:46a886260e04002d8f45e213fc39063fa11a50446048fdaa64786fc0840cb9f8',
    usedBy: 'Lab 4: Jaeger v2, the trace store with its UI and query API (docker and kind parts); no local build (not in Debian or npm)',
  },
  otelCollector: {
    repository: 'docker.io/otel/opentelemetry-collector-contrib',
    tag: '0.159.0',
    digest: 'sha256:1f2c54a30e713fac6b3ae77a1ec84010c2007e29ced8ec666214fc2f6739c1cc',
    usedBy: 'Lab 4: the OpenTelemetry Collector between the services and Jaeger, with tail sampling in the kind part; no local build (not in Debian or npm)',
  },
  k6: {
    repository: 'docker.io/grafana/k6',
    tag: '2.2.0',
    digest: 'sha256:9bd01d6941fca969cb61bb57d2da5ee9b385fe2aa8881df3798c196564d6ace6',
    usedBy: 'Lab 5: the k6 load test, run as a Job in the lab cluster (kind part)',
  },
  kindNode: {
    repository: 'docker.io/kindest/node',
    tag: 'v1.37.0',
    digest: 'sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
    usedBy: 'the lab cluster (npm run lab -- cluster up), from the kind v0.33.0 release notes',
  },
} satisfies Record<string, PinnedImage>;

export type ImageName = keyof typeof images;

/** A Helm chart a lab installs, pinned by version; its images are set from the list above. */
export interface PinnedChart {
  /** The chart repository URL (helm --repo). */
  repo: string;
  chart: string;
  version: string;
  usedBy: string;
}

export const charts = {
  kubePrometheusStack: {
    repo: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    version: '88.5.3',
    usedBy:
      'Lab 1, kind part: the Prometheus Operator, Prometheus and Grafana. Every image it runs is set from this list (prometheus, prometheusOperator, prometheusConfigReloader, grafana, k8sSidecar); the parts that would need others are switched off.',
  },
} satisfies Record<string, PinnedChart>;

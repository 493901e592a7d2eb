// The configuration files of Lab 4's tracing pipeline (config/*.yaml) and the names both parts
// share. The same Collector and Jaeger files serve the Docker part (copied into the containers)
// and the kind part (ConfigMaps), because the Docker network and the lab namespace both resolve
// the names m9-lab4-collector and m9-lab4-jaeger.
import { readFileSync } from 'node:fs';

const file = (name: string) => readFileSync(new URL(`./config/${name}`, import.meta.url), 'utf8');

export const jaegerConfig = () => file('jaeger.yaml');
export const collectorConfig = () => file('collector.yaml');
export const tailSamplingCollectorConfig = () => file('collector-tail-sampling.yaml');

/** The resource attribute the Collector's resource processor adds: proof a span went through it. */
export const collectorAttribute = { key: 'module9.collector', value: 'm9-lab4-collector' };

export const labId = 'lab-4-distributed-tracing';

export const names = {
  network: 'm9-lab4-net',
  jaeger: 'm9-lab4-jaeger',
  collector: 'm9-lab4-collector',
  storefront: 'm9-lab4-storefront',
  orders: 'm9-lab4-orders',
  pricing: 'm9-lab4-pricing',
};

/** Where the files go inside the containers (the Collector image's default config path). */
export const configPaths = { collector: '/etc/otelcol-contrib/config.yaml', jaeger: '/jaeger.yaml' };

export const shopServices = ['storefront', 'orders', 'pricing'] as const;
export type ShopService = (typeof shopServices)[number];

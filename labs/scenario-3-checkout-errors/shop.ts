// The shop both parts of Scenario 3 run: three services of our own (storefront -> orders ->
// inventory), built into images with buildAppImage, and the request a customer makes.
import { fileURLToPath } from 'node:url';
import { buildAppImage } from '../lib/app-image.ts';
import type { StepContext } from '../lib/lab.ts';

export const labId = 'scenario-3-checkout-errors';
export const services = ['storefront', 'orders', 'inventory'] as const;
export type Service = (typeof services)[number];

/** The customer's request: a checkout for one bag of coffee beans. */
export const checkoutPath = '/checkout?sku=sku-coffee-beans&qty=2';

export const entryOf = (service: Service) => fileURLToPath(new URL(`services/${service}.ts`, import.meta.url));

export async function buildShopImages(ctx: Pick<StepContext, 'shell' | 'labId'>): Promise<Record<Service, string>> {
  const refs = {} as Record<Service, string>;
  for (const service of services) refs[service] = await buildAppImage(ctx, { name: service, entry: entryOf(service) });
  return refs;
}

/** What a successful checkout answers: 200 with checkout "ready" and a quote that has a stock count. */
export function isReadyCheckout(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const parsed = JSON.parse(body) as { checkout?: string; quote?: { available?: unknown } };
    return parsed.checkout === 'ready' && typeof parsed.quote?.available === 'number';
  } catch {
    return false;
  }
}

/** The host part of a URL, and whether it is an IP address rather than a name. */
export function upstreamHost(url: string | undefined): { host: string; isAddress: boolean } | null {
  if (!url) return null;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return { host, isAddress: /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':') };
  } catch {
    return null;
  }
}

// Scenario 3, Docker part: the storefront's checkout fails with 502. The request crosses two
// hops (storefront -> orders -> inventory); the learner follows it through the logs and the
// networks Docker shows, names the service that cannot reach its upstream, then fixes the hop.
// The check sends the customer's request through the published port for a window, and keeps
// the shop's layout: inventory stays off the network the storefront is on, and services find
// each other by name.
import type { ContainerInspect, DockerClient } from '../lib/docker.ts';
import { labLabel, recreateContainer } from '../lib/docker.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { sleep, waitUntil } from '../lib/wait.ts';
import { buildShopImages, checkoutPath, isReadyCheckout, labId, upstreamHost, type Service } from './shop.ts';

export const names = {
  storefront: 'm9-s3-storefront',
  orders: 'm9-s3-orders',
  inventory: 'm9-s3-inventory',
  shop: 'm9-s3-shop',
  warehouse: 'm9-s3-warehouse',
} as const;

/** Which environment variable of which container names its upstream. */
export const upstreams: { caller: Service; variable: string; callee: Service }[] = [
  { caller: 'storefront', variable: 'ORDERS_URL', callee: 'orders' },
  { caller: 'orders', variable: 'INVENTORY_URL', callee: 'inventory' },
];

export type Inspect = ContainerInspect & {
  Config: ContainerInspect['Config'] & { Env: string[] | null };
  HostConfig: ContainerInspect['HostConfig'] & { NetworkMode: string };
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks: Record<string, { IPAddress: string; Aliases: string[] | null }> | null;
  };
};

type Look = Pick<StepContext, 'docker'>;
export type Shop = Record<Service, Inspect | null>;

export const envOf = (c: Inspect, key: string) => (c.Config.Env ?? []).find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);
const networksOf = (c: Inspect) => Object.keys(c.NetworkSettings.Networks ?? {});

export async function inspectShop(docker: DockerClient): Promise<Shop> {
  const shop = {} as Shop;
  for (const service of ['storefront', 'orders', 'inventory'] as const) shop[service] = (await docker.inspect(names[service])) as Inspect | null;
  return shop;
}

/**
 * The callers that cannot reach their upstream by the name they are configured with: the two
 * containers share no network, so Docker's DNS on the caller's networks does not know the name.
 */
export function unreachableHops(shop: Shop): { caller: Service; callee: Service; shared: string[] }[] {
  const broken: { caller: Service; callee: Service; shared: string[] }[] = [];
  for (const { caller, variable, callee } of upstreams) {
    const from = shop[caller];
    const to = shop[callee];
    if (!from || !to || !from.State.Running || !to.State.Running) continue;
    const host = upstreamHost(envOf(from, variable));
    if (!host || host.host !== names[callee]) continue;
    const shared = networksOf(from).filter((n) => networksOf(to).includes(n));
    if (shared.length === 0) broken.push({ caller, callee, shared });
  }
  return broken;
}

/** The accepted answers to "which container cannot reach the service it calls". */
export function diagnoseTruth(shop: Shop): string[] {
  return unreachableHops(shop).flatMap(({ caller }) => [names[caller], caller, `${caller} service`]);
}

export type Request = (url: string) => Promise<{ status: number; body: string }>;

export const fetchText: Request = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(8000) });
  return { status: response.status, body: await response.text() };
};

/** The published address of the storefront's port 8080, or null. */
export function storefrontUrl(c: Inspect): string | null {
  const binding = c.NetworkSettings.Ports?.['8080/tcp']?.find((b) => b.HostPort);
  if (!binding) return null;
  const host = binding.HostIp && binding.HostIp !== '0.0.0.0' && binding.HostIp !== '::' ? binding.HostIp : '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${binding.HostPort}`;
}

/** Everything the check reads from the containers, before it sends any request. */
export function judgeLayout(shop: Shop): CheckResult | null {
  for (const service of ['storefront', 'orders', 'inventory'] as const) {
    const c = shop[service];
    if (!c) {
      return fail('container-missing', `There is no container ${names[service]}. The shop needs all three services; to start over: npm run lab -- start ${labId} --from restore-checkout`);
    }
    if (c.HostConfig.NetworkMode === 'host') {
      return fail('host-network', `${names[service]} runs on the host's network (HostConfig.NetworkMode is host): it leaves the shop's networks, shares the host's ports, and its name no longer resolves for the others. Keep every service on the shop's bridge networks.`);
    }
    if (!c.State.Running) return fail('not-running', `${names[service]} is ${c.State.Status} (exit code ${c.State.ExitCode}). Look at its log: docker logs ${names[service]}`);
  }
  for (const { caller, variable } of upstreams) {
    const url = envOf(shop[caller]!, variable);
    const host = upstreamHost(url);
    if (!host) return fail('no-upstream', `${names[caller]} has no usable ${variable} (Config.Env). It needs the URL of the service it calls.`);
    if (host.isAddress) {
      return fail('hard-coded-address', `${names[caller]} calls its upstream at ${url}, a container address. Addresses change whenever a container is recreated; services must find each other by name through Docker's DNS.`);
    }
  }
  const storefrontNets = networksOf(shop.storefront!);
  const exposed = networksOf(shop.inventory!).filter((n) => storefrontNets.includes(n));
  if (exposed.length > 0) {
    return fail('inventory-exposed', `${names.inventory} and ${names.storefront} share the network ${exposed.join(', ')}. Inventory belongs on ${names.warehouse} only: the public-facing storefront must not reach it directly.`);
  }
  return null;
}

/** The customer's request, `times` times over the window; all must answer a ready checkout. */
export async function judgeCheckout(url: string, request: Request, times: number, gapMs: number): Promise<CheckResult> {
  for (let i = 1; i <= times; i += 1) {
    let answer: { status: number; body: string };
    try {
      answer = await request(`${url}${checkoutPath}`);
    } catch (cause) {
      const reason = (cause as Error & { cause?: Error }).cause?.message ?? (cause as Error).message;
      return fail('starting', `GET ${url}${checkoutPath} got no HTTP answer (${reason}); the storefront may still be starting.`);
    }
    if (!isReadyCheckout(answer.status, answer.body)) {
      return fail(
        'checkout-failing',
        `GET ${checkoutPath} on the storefront answered ${answer.status}: ${answer.body.trim().slice(0, 300)} (request ${i} of ${times}). ` +
          `Follow the request hop by hop: the storefront's log, then the log of the service it calls.`,
      );
    }
    if (i < times) await sleep(gapMs);
  }
  return pass(`the storefront answered ${times} checkouts in a row with a ready quote, over ${Math.round(((times - 1) * gapMs) / 1000)} s`);
}

export async function checkCheckout({ docker }: Look, request: Request = fetchText, { times = 5, gapMs = 1000, timeoutMs = 20_000 } = {}): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const shop = await inspectShop(docker);
    const layout = judgeLayout(shop);
    if (layout) return layout;
    const url = storefrontUrl(shop.storefront!);
    if (!url) return fail('not-published', `${names.storefront} does not publish its port 8080/tcp (NetworkSettings.Ports). Customers reach the shop through it: publish it on 127.0.0.1.`);
    return judgeCheckout(url, request, times, gapMs);
  }, ['starting'], { timeoutMs, intervalMs: 1000 });
}

// --- setup --------------------------------------------------------------------------------

async function networkExists(ctx: Pick<StepContext, 'shell'>, name: string): Promise<boolean> {
  return (await ctx.shell.tryRun('docker', ['network', 'inspect', name], { quiet: true })).exitCode === 0;
}

async function recreateNetwork(ctx: Pick<StepContext, 'shell'>, name: string): Promise<void> {
  if (await networkExists(ctx, name)) await ctx.shell.run('docker', ['network', 'rm', name]);
  await ctx.shell.run('docker', ['network', 'create', '--label', `${labLabel}=${labId}`, name]);
}

/** How each service runs, before the shop's networks are attached. */
export function runOptions(service: Service): string[] {
  switch (service) {
    case 'storefront':
      return ['--network', names.shop, '-p', '127.0.0.1::8080', '-e', `ORDERS_URL=http://${names.orders}:8080`];
    case 'orders':
      return ['--network', names.shop, '-e', `INVENTORY_URL=http://${names.inventory}:8080`];
    case 'inventory':
      return ['--network', names.warehouse];
  }
}

/**
 * The shop after last night's change: inventory moved to the warehouse network, and orders was
 * left on the shop network only. Waits until the storefront answers the checkout with 502.
 */
export async function setupShop(ctx: StepContext): Promise<void> {
  const images = await buildShopImages(ctx);
  for (const service of ['storefront', 'orders', 'inventory'] as const) await ctx.docker.removeContainer(names[service]);
  await recreateNetwork(ctx, names.shop);
  await recreateNetwork(ctx, names.warehouse);
  for (const service of ['inventory', 'orders', 'storefront'] as const) {
    await recreateContainer(ctx, names[service], runOptions(service), [], images[service]);
  }
  await waitUntil(async () => (await checkoutSymptom(ctx)).status === 'pass', 'the storefront to answer the checkout with 502', { timeoutMs: 60_000, intervalMs: 1000 });
}

/** What the page tells the learner to look at: 502 from the storefront, and the orders log line. */
export async function checkoutSymptom(ctx: Pick<StepContext, 'docker' | 'shell'>, request: Request = fetchText): Promise<CheckResult> {
  const storefront = (await ctx.docker.inspect(names.storefront)) as Inspect | null;
  const url = storefront && storefrontUrl(storefront);
  if (!url) return fail('no-symptom', `${names.storefront} is not running with a published port`);
  let answer;
  try {
    answer = await request(`${url}${checkoutPath}`);
  } catch (cause) {
    return fail('no-symptom', `the storefront gave no HTTP answer yet (${(cause as Error).message})`);
  }
  const logs = await ctx.shell.tryRun('docker', ['logs', '--tail', '20', names.orders], { quiet: true });
  const line = (logs.stdout + logs.stderr).split('\n').find((l) => l.includes(`inventory request to http://${names.inventory}:8080 failed`));
  if (answer.status === 502 && /orders answered 503/.test(answer.body) && line) {
    return pass(`the checkout answers 502 (${answer.body.trim()}), and ${names.orders} logs: ${line.trim()}`);
  }
  return fail('no-symptom', `expected a 502 from the storefront and a failed inventory request in the orders log; got ${answer.status} ${answer.body.trim()} / ${line ?? 'no such log line'}`);
}

const cause = ['network', 'segment', 'isolat', 'dns'];
const shown = [...Object.values(names), 'storefront', 'orders', 'inventory', labId];

export const dockerSteps: Step[] = [
  defineDiagnosis({
    id: 'which-hop-fails',
    title: 'Checkout answers 502: which service cannot reach its upstream?',
    target: 'docker',
    question: `Customers get a 502 from the checkout. Which container cannot reach the service it calls? Answer with the container's name.`,
    setup: setupShop,
    symptom: (ctx) => checkoutSymptom(ctx),
    async truth(ctx) {
      return diagnoseTruth(await inspectShop(ctx.docker));
    },
    wrongAnswers: [names.storefront, names.inventory],
    hints: {
      'wrong-answer': [
        'The service that shows the error is not always the one that is broken. Read each log in the order the request travels: the storefront, then orders.',
        `A name that does not resolve (ENOTFOUND or EAI_AGAIN) means the caller's DNS does not know it. Docker's DNS answers only for containers on a network the caller is on: compare the networks of the caller and the callee (docker inspect --format '{{json .NetworkSettings.Networks}}').`,
      ],
      default: [`Start where the customer does: curl the checkout, then docker logs ${names.storefront}.`],
    },
    conceal: { causeWords: cause, names: shown },
  }),
  {
    id: 'restore-checkout',
    title: 'Make the checkout answer again',
    target: 'docker',
    goal:
      `Make GET ${checkoutPath} on ${names.storefront}'s published port answer with a ready quote again, ` +
      `and keep the shop's layout: inventory stays off the network the storefront is on, ` +
      `services find each other by name, and no service uses the host's network.`,
    setup: setupShop,
    symptom: (ctx) => checkoutSymptom(ctx),
    check: (ctx) => checkCheckout(ctx),
    expected: { failsWith: 'checkout-failing' },
    hints: {
      'checkout-failing': [
        `The orders service is on ${names.shop}; inventory is on ${names.warehouse}. Docker's DNS resolves a container name only for containers that share a network with it.`,
        `A running container can join another network without being recreated: docker network connect <network> <container>. Which container needs both networks?`,
      ],
      'inventory-exposed': [`Putting inventory on the storefront's network fixes the 502 but exposes inventory to the public-facing service. Disconnect it (docker network disconnect) and connect the caller that needs it instead.`],
      'hard-coded-address': ['A container address changes whenever the container is recreated. Keep the URL on the name (http://m9-s3-inventory:8080) and make the name resolve.'],
      'host-network': ['With --network host the container leaves the bridge networks and Docker\'s DNS. Recreate it on its bridge network.'],
      default: [`docker network inspect ${names.shop} ${names.warehouse} lists which containers are on which network.`],
    },
    cheats: [
      {
        name: "connects inventory to the storefront's network",
        apply: (ctx) => ctx.shell.run('docker', ['network', 'connect', names.shop, names.inventory]).then(() => undefined),
      },
      {
        name: 'hard-codes the address of inventory in orders',
        async apply(ctx) {
          const ip = (await ctx.shell.run('docker', ['inspect', '--format', `{{(index .NetworkSettings.Networks "${names.warehouse}").IPAddress}}`, names.inventory], { quiet: true })).stdout.trim();
          const image = (await ctx.docker.inspect(names.orders))!.Config.Image;
          await recreateContainer(ctx, names.orders, ['--network', names.shop, '-e', `INVENTORY_URL=http://${ip}:8080`], [], image);
          await ctx.shell.run('docker', ['network', 'connect', names.warehouse, names.orders]);
        },
      },
      {
        name: 'runs orders on the host network',
        async apply(ctx) {
          const image = (await ctx.docker.inspect(names.orders))!.Config.Image;
          await recreateContainer(ctx, names.orders, ['--network', 'host', '-e', 'PORT=38083', '-e', `INVENTORY_URL=http://${names.inventory}:8080`], [], image);
        },
      },
      { name: 'removes the inventory container', apply: (ctx) => ctx.docker.removeContainer(names.inventory) },
    ],
    async solve(ctx) {
      await ctx.shell.run('docker', ['network', 'connect', names.warehouse, names.orders]);
    },
    conceal: { causeWords: cause, names: shown, files: ['services/http.ts', 'services/storefront.ts', 'services/orders.ts', 'services/inventory.ts', 'shop.ts'] },
  },
];

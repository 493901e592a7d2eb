// The storefront: the shop's public entry point. The checkout page asks orders for a quote.
// GET /checkout?sku=<sku>&qty=<n> -> { checkout: "ready", quote } or an error from upstream.
// ORDERS_URL is where it finds the orders service.
import { describeFailure, getJson, log, required, serve } from './http.ts';

const ordersUrl = required('ORDERS_URL');

serve('storefront', {
  '/checkout': async (url) => {
    const sku = url.searchParams.get('sku') ?? 'sku-coffee-beans';
    const qty = url.searchParams.get('qty') ?? '1';
    let quote;
    try {
      quote = await getJson(`${ordersUrl}/orders/quote?sku=${encodeURIComponent(sku)}&qty=${encodeURIComponent(qty)}`);
    } catch (cause) {
      const reason = describeFailure(cause);
      log('storefront', `checkout ${sku}: orders request to ${ordersUrl} failed: ${reason}`);
      return { status: 502, body: { error: `orders unavailable: ${reason}` } };
    }
    if (quote.status !== 200) {
      log('storefront', `checkout ${sku}: orders answered ${quote.status}`);
      return { status: 502, body: { error: `orders answered ${quote.status}`, detail: quote.body.error } };
    }
    log('storefront', `checkout ${sku} x${qty}: ready`);
    return { status: 200, body: { checkout: 'ready', quote: quote.body } };
  },
});

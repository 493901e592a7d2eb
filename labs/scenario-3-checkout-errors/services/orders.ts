// The orders service: prices an order and asks inventory whether the units are in stock.
// GET /orders/quote?sku=<sku>&qty=<n> -> { sku, qty, total, inStock }
// INVENTORY_URL is where it finds the inventory service.
import { describeFailure, getJson, log, required, serve } from './http.ts';

const inventoryUrl = required('INVENTORY_URL');
const prices: Record<string, number> = { 'sku-coffee-beans': 12.5, 'sku-grinder': 89, 'sku-mug': 9 };

serve('orders', {
  '/orders/quote': async (url) => {
    const sku = url.searchParams.get('sku') ?? '';
    const qty = Number(url.searchParams.get('qty') ?? 1);
    const price = prices[sku];
    if (price === undefined) return { status: 404, body: { error: `unknown sku ${sku}` } };
    let stock;
    try {
      stock = await getJson(`${inventoryUrl}/stock/${sku}`);
    } catch (cause) {
      const reason = describeFailure(cause);
      log('orders', `quote ${sku}: inventory request to ${inventoryUrl} failed: ${reason}`);
      return { status: 503, body: { error: `inventory unavailable: ${reason}` } };
    }
    if (stock.status !== 200) {
      log('orders', `quote ${sku}: inventory answered ${stock.status}`);
      return { status: 502, body: { error: `inventory answered ${stock.status}` } };
    }
    const available = Number(stock.body.available);
    log('orders', `quote ${sku} x${qty}: ${available} available`);
    return { status: 200, body: { sku, qty, total: price * qty, inStock: available >= qty, available } };
  },
});

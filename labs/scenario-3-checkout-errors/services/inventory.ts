// The inventory service: how many units of each product are in the warehouse.
// GET /stock/<sku> -> { sku, available, warehouse }
import { log, serve } from './http.ts';

const stock: Record<string, number> = { 'sku-coffee-beans': 42, 'sku-grinder': 7, 'sku-mug': 120 };

serve('inventory', {
  '/stock/': async (url) => {
    const sku = url.pathname.slice('/stock/'.length);
    const available = stock[sku];
    log('inventory', `GET ${url.pathname} -> ${available === undefined ? 404 : 200}`);
    if (available === undefined) return { status: 404, body: { error: `unknown sku ${sku}` } };
    return { status: 200, body: { sku, available, warehouse: 'central' } };
  },
});

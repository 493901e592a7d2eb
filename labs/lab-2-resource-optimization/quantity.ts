// Kubernetes resource quantities ("100m", "0.1", "64Mi", "67108864") as numbers, so checks
// compare what the API server stored, whichever way it was written.
const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?\d+(?:\.\d+)?)(?:[eE]([+-]?\d+))?([a-zA-Z]{0,2})$/.exec(quantity.trim());
  if (!match) throw new Error(`"${quantity}" is not a Kubernetes quantity`);
  const [, number, exponent, suffix] = match;
  const factor = suffixes[suffix!];
  if (factor === undefined) throw new Error(`"${quantity}" has an unknown suffix "${suffix}"`);
  return Number(number) * 10 ** Number(exponent ?? 0) * factor;
}

/** True when two quantities are the same amount (within floating-point noise). */
export function sameQuantity(a: string | undefined, b: string | undefined): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return x === y;
  return Math.abs(x - y) <= Math.max(Math.abs(x), Math.abs(y)) * 1e-9;
}

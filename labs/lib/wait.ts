// Bounded waiting for labs: every wait has a deadline and says what it was waiting for.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `look` until it returns true; throws, naming `what`, once `timeoutMs` has passed. */
export async function waitUntil(
  look: () => Promise<boolean>,
  what: string,
  { timeoutMs = 30_000, intervalMs = 500 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await look())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

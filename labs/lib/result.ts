import { sleep } from './wait.ts';

// What a check returns. Three outcomes, never confused: an error (could not look) is never
// read as a pass or a fail.

export type CheckResult =
  | { status: 'pass'; observed: string }
  | { status: 'fail'; code: string; reason: string }
  | { status: 'error'; reason: string; next: string };

export const pass = (observed: string): CheckResult => ({ status: 'pass', observed });
export const fail = (code: string, reason: string): CheckResult => ({ status: 'fail', code, reason });
export const error = (reason: string, next: string): CheckResult => ({ status: 'error', reason, next });

export function formatResult(result: CheckResult): string {
  switch (result.status) {
    case 'pass':
      return `PASS: ${result.observed}`;
    case 'fail':
      return `NOT YET [${result.code}]: ${result.reason}`;
    case 'error':
      return `ERROR: ${result.reason}\nNext: ${result.next}`;
  }
}

/** An environment problem with the next thing to do: the CLI exits 3 and prints both. */
export class EnvironmentError extends Error {
  readonly next: string;
  constructor(message: string, next: string) {
    super(message);
    this.name = 'EnvironmentError';
    this.next = next;
  }
}

/** A mistake in how the CLI was called: exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Polls `look` while its result is a failure that `isTransient` says may still clear on its
 * own (a container still loading), up to `timeoutMs`, and returns the last result. Any other
 * failure returns at once, and an error stops the polling: retrying cannot fix a missing tool.
 */
export async function pollWhileTransient(
  look: () => Promise<CheckResult>,
  transientCodes: string[],
  { timeoutMs, intervalMs = 1000 }: { timeoutMs: number; intervalMs?: number },
): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await look();
    const transient = result.status === 'fail' && transientCodes.includes(result.code);
    if (!transient || Date.now() + intervalMs > deadline) return result;
    await sleep(intervalMs);
  }
}

import { describe, expect, it } from 'vitest';
import { waitUntil } from './wait.ts';

describe('waitUntil', () => {
  it('returns once the condition holds', async () => {
    let calls = 0;
    await waitUntil(async () => ++calls === 3, 'the third call', { intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('times out naming what it waited for', async () => {
    await expect(waitUntil(async () => false, 'a container to run', { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      'timed out after 0.02 s waiting for a container to run',
    );
  });
});

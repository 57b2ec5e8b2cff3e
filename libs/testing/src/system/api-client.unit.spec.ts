import { describeValue, resolveApiUrl, waitFor } from './api-client';

describe('resolveApiUrl', () => {
  it('accepts paths with or without /api, and bases with or without /api', () => {
    for (const base of [
      'http://127.0.0.1:8080',
      'http://127.0.0.1:8080/',
      'http://127.0.0.1:8080/api',
      'http://127.0.0.1:8080/api/',
    ]) {
      expect(resolveApiUrl(base, '/api/identities')).toBe('http://127.0.0.1:8080/api/identities');
      expect(resolveApiUrl(base, '/identities')).toBe('http://127.0.0.1:8080/api/identities');
      expect(resolveApiUrl(base, 'identities?department=IT')).toBe(
        'http://127.0.0.1:8080/api/identities?department=IT',
      );
      expect(resolveApiUrl(base, '/api')).toBe('http://127.0.0.1:8080/api');
    }
  });

  it('does not mistake a path that merely starts like api', () => {
    expect(resolveApiUrl('http://h:1', '/apis')).toBe('http://h:1/api/apis');
    expect(resolveApiUrl('http://h:1', 'http://other:2/x')).toBe('http://other:2/x');
  });
});

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { done: calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ done: 3 });
  });

  it('treats a throwing attempt as not yet', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return calls;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('uses `until` to decide, so falsy values can be awaited too', async () => {
    let n = 3;
    await expect(waitFor(() => --n, { until: (v) => v === 0, intervalMs: 1 })).resolves.toBe(0);
  });

  it('names what it waited for and the last value seen', async () => {
    await expect(
      waitFor(() => ({ provisioningState: 'Pending' }), {
        timeoutMs: 50,
        intervalMs: 10,
        description: 'the order to be Executed',
        until: (v) => v.provisioningState === 'Executed',
      }),
    ).rejects.toThrow(
      /timed out after 50 ms .* waiting for the order to be Executed; last value: \{"provisioningState":"Pending"\}/,
    );
  });

  it('reports the last error when every attempt threw', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connect ECONNREFUSED');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(/last error: connect ECONNREFUSED/);
  });

  it('does not let one hung attempt outlast the timeout', async () => {
    const started = Date.now();
    await expect(waitFor(() => new Promise(() => undefined), { timeoutMs: 50 })).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('describeValue', () => {
  it('prints bigints and cuts long values', () => {
    expect(describeValue({ revision: 5n })).toBe('{"revision":"5"}');
    expect(describeValue('x'.repeat(50), 10)).toBe('"xxxxxxxxx… (52 characters)');
  });
});

describe('waitFor with a signal', () => {
  it('stops polling once aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const waiting = waitFor(() => ++calls > 1000, {
      intervalMs: 20,
      timeoutMs: 5000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('process died')), 50);
    await expect(waiting).rejects.toThrow('process died');
    const seen = calls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(seen);
  });
});

import 'reflect-metadata';
import fc from 'fast-check';
import { Client } from 'pg';
import { inProcessEdge, TOKENS } from '../testing/in-process-edge';

jest.setTimeout(240_000);

const encoder = new TextEncoder();

/**
 * The HTTP edge in-process (testing/in-process-edge.ts) fed thousands of generated requests must answer
 * every one with less than 500 and write nothing half.
 */
describe('the HTTP edge under generated requests', () => {
  const { edge, call, postJson } = inProcessEdge();

  it('4,000 generated bodies, query strings and paths: no 5xx, and exactly the accepted requests are recorded', async () => {
    const valid = await postJson('/api/assignments', {
      identityId: 'fuzz.one',
      entitlementId: 'hr_app_reader',
    });
    expect(valid.status).toBe(202);
    let accepted = 1;
    const text = fc.string({
      maxLength: 60,
      unit: fc.constantFrom('a', 'Z', '0', '.', ' ', '\u0000', 'é', '😀', '%', '"', '\\', '\ud800'),
    });
    const requestBody = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            identityId: fc.oneof(fc.constant('fuzz.one'), text),
            entitlementId: fc.oneof(
              fc.constantFrom('hr_app_reader', 'building_badge', 'hr_app_admin', 'nope'),
              text,
            ),
            comment: text,
            startsAt: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), text),
            assignmentId: fc.oneof(fc.uuid(), text),
            extra: fc.jsonValue({ maxDepth: 3 }),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 200 }),
      fc.integer({ min: 20, max: 3000 }).map((n) => `{"identityId":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/merge-patch+json',
    );
    const queryPart = fc
      .tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }))
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    const rawQuery = fc.oneof(
      fc.array(queryPart, { maxLength: 5 }).map((parts) => parts.join('&')),
      fc.constantFrom(
        'limit=-1',
        'limit=1e400',
        'after=%',
        'a[b][c][d][e][f]=1',
        'after=00000000000000000000:00000000000000000001',
        'provisioningState=%00',
      ),
    );
    const readPath = fc.constantFrom(
      '/api/assignments',
      '/api/audit/events',
      '/api/review/orders',
      '/api/identities',
      '/api/manual/orders',
    );
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.constantFrom('%00', '%', '%E0%A4%A', '..', '%2F', 'fuzz.one'),
    );

    await fc.assert(
      fc.asyncProperty(requestBody, contentType, async (body, type) => {
        const response = await call('POST', '/api/assignments', {
          token: TOKENS.requester,
          body: encoder.encode(body),
          type,
        });
        expect({ status: response.status, body: response.body }).toEqual({
          status: expect.any(Number),
          body: expect.anything(),
        });
        expect(response.status).toBeLessThan(500);
        if (response.status === 202) accepted += 1;
      }),
      { numRuns: 1500 },
    );
    await fc.assert(
      fc.asyncProperty(readPath, rawQuery, async (path, query) => {
        const response = await call('GET', `${path}?${query}`, { token: TOKENS.operator });
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 1500 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/identities/',
          '/api/assignments/',
          '/api/review/orders/',
          '/api/identities/fuzz.one/',
        ),
        segment,
        async (prefix, part) => {
          const response = await call('GET', `${prefix}${part}`, { token: TOKENS.reviewer });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 1000 },
    );

    // Nothing half-written: every 202 is one recorded request, and nothing else was recorded.
    const pg = new Client({ connectionString: edge.database.url });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        "SELECT count(*)::int AS n FROM es.events WHERE event_type = 'AssignmentRequested'",
      );
      expect(rows[0].n).toBe(accepted);
      const nul = await pg.query(
        "SELECT count(*)::int AS n FROM es.events WHERE data::text LIKE '%\\\\u0000%'",
      );
      expect(nul.rows[0].n).toBe(0);
    } finally {
      await pg.end();
    }
    expect((await call('GET', '/api/health')).status).toBe(200);
  });
});

import { type InboundSystem, importPopulation } from './inbound-fixture';

/**
 * The HR file feed: a whole population at once, as CSV or JSON lines. It runs last, for a full
 * population deactivates everyone it does not list. Registered by inbound-scim.e2e.spec.ts,
 * inside its describe and on its system.
 */
export function hrFileFlows({ bed, run }: InboundSystem): void {
  it('HR file: dry run, the leaver threshold, a forced real run, the same file again changes nothing', async () => {
    const { system, flow } = bed;
    const people = Array.from({ length: 30 }, (_, i) => ({
      id: `hr${run}-${i}`,
      login: `hr${run}${i}`,
      department: i < 3 ? 'Finance' : 'IT',
    }));
    const csv = (rows: typeof people) =>
      [
        'id,login,firstName,lastName,email,department',
        ...rows.map((p) => `${p.id},${p.login},Hana,Ro${p.id},${p.login}@example.test,${p.department}`),
      ].join('\n');
    const feed = system.client('hr-feed');
    const active = (await flow.requester.get('/api/identities?limit=1000')).body.filter(
      (i: { active: boolean }) => i.active,
    ).length;

    const dry = await importPopulation(feed, csv(people), { dryRun: 'true', limit: '5' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dryRun: true,
      counts: { joiners: 30, movers: 0, leavers: active, unchanged: 0 },
      leaverThresholdExceeded: true,
      changes: { total: 30 + active, limit: 5 },
    });
    expect(dry.body.changes.items).toHaveLength(5);
    expect((await flow.requester.get(`/api/identities/${people[0].id}`)).status).toBe(404); // nothing written

    const refused = await importPopulation(feed, csv(people));
    expect(refused).toMatchObject({ status: 409, body: { code: 'LeaverThresholdExceeded' } });
    const forced = await importPopulation(feed, csv(people), { force: 'true' });
    expect(forced.body).toMatchObject({ applied: 30 + active, failed: [] });
    expect((await flow.requester.get(`/api/identities/${people[0].id}`)).body).toMatchObject({
      login: people[0].login,
      active: true,
      department: 'Finance',
    });

    const again = await importPopulation(feed, csv(people));
    expect(again.body).toMatchObject({
      counts: { joiners: 0, movers: 0, leavers: 0, unchanged: 30 },
      applied: 0,
    });

    // Next day's file: one mover, one leaver (1 of 30: under the threshold), one joiner, as JSON lines.
    const next = [
      ...people.slice(1).map((p, i) => (i === 0 ? { ...p, department: 'Legal' } : p)),
      { id: `hr${run}-new`, login: `hr${run}new`, department: 'IT' },
    ];
    const jsonl = next
      .map((p) =>
        JSON.stringify({
          id: p.id,
          login: p.login,
          firstName: 'Hana',
          lastName: `Ro${p.id}`,
          email: `${p.login}@example.test`,
          department: p.department,
        }),
      )
      .join('\n');
    const applied = await importPopulation(feed, jsonl, {}, 'application/x-ndjson');
    expect(applied.body).toMatchObject({
      counts: { joiners: 1, movers: 1, leavers: 1, unchanged: 28 },
      applied: 3,
      failed: [],
    });
    expect((await flow.requester.get(`/api/identities/${people[0].id}`)).body.active).toBe(false);
    expect((await flow.requester.get(`/api/identities/${people[1].id}`)).body.department).toBe('Legal');
  });

  it('HR file: every bad line is named with its field and nothing is applied; other roles may not import', async () => {
    const { system, flow } = bed;
    const feed = system.client('hr-feed');
    const text = 'id,login,firstName,lastName,email\nok1,ok1,A,B,ok1@example.test\nbad,,A,B,not-mail\n';
    const refused = await importPopulation(feed, text);
    expect(refused).toMatchObject({ status: 400, body: { code: 'ImportInvalid' } });
    expect(refused.body.details).toEqual([
      { line: 3, field: 'login', message: 'login is required' },
      { line: 3, field: 'email', message: 'email must be an e-mail address (name@domain)' },
    ]);
    expect((await flow.requester.get('/api/identities/ok1')).status).toBe(404);
    expect((await importPopulation(flow.requester, text, { dryRun: 'true' })).status).toBe(403);
    expect((await importPopulation(feed, '{}', {}, 'application/pdf')).status).toBe(415);
  });
}

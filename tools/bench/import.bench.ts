/**
 * npm run bench:import — the HR file feed with every service as its own process: a file of
 * BENCH_IMPORT_SIZE people (default 10,000) as a dry run, as a real run (joiners), the same file
 * again (idempotent: nothing to do), and a file with 10 % movers. The baseline, measured in the
 * same run on the same machine, is registering identities one API call each (concurrency 16):
 * the import's rate is reported as a ratio to it, since absolute figures depend on the load.
 *
 * Options (environment): BENCH_IMPORT_SIZE (10000), BENCH_BASELINE (1000 identities), LOG_LEVEL (warn).
 */
import { request } from 'node:http';
import { startPostgresCluster, startSystem } from '@prov/testing';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/**
 * The import as one HTTP request without a client-side time limit: a real run of 10,000 lines
 * takes minutes on a loaded machine, longer than fetch's built-in 5-minute header timeout.
 */
function postFile(
  url: string,
  token: string,
  text: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

interface Person {
  id: string;
  login: string;
  department: string;
}

const csv = (people: Person[]) =>
  [
    'id,login,firstName,lastName,email,department,employeeNumber',
    ...people.map(
      (p, i) => `${p.id},${p.login},Bench,Person${i},${p.login}@example.test,${p.department},${i}`,
    ),
  ].join('\n');

async function main(): Promise<void> {
  const size = env('BENCH_IMPORT_SIZE', 10_000);
  const baselineCount = env('BENCH_BASELINE', 1000);
  const postgres = await startPostgresCluster();
  process.env.PROV_TEST_POSTGRES_URL = postgres.url;
  const system = await startSystem({
    logLevel: process.env.LOG_LEVEL ?? 'warn',
    env: { RATE_LIMIT_WRITES: '10000000' },
  });
  try {
    const admin = system.client('admin');
    const people: Person[] = Array.from({ length: size }, (_, i) => ({
      id: `p${i}`,
      login: `p${i}`,
      department: i % 2 ? 'IT' : 'Sales',
    }));

    // Baseline: the first people registered one API call each.
    let next = 0;
    const baselineStart = Date.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < baselineCount) {
          const p = people[next++];
          const r = await admin.post('/api/identities', {
            body: {
              id: p.id,
              login: p.login,
              firstName: 'Bench',
              lastName: `Person${people.indexOf(p)}`,
              email: `${p.login}@example.test`,
              department: p.department,
              attributes: { employeeNumber: String(people.indexOf(p)) },
            },
          });
          if (r.status !== 201)
            throw new Error(`baseline registration answered ${r.status}: ${JSON.stringify(r.body)}`);
        }
      }),
    );
    const baselineRate = baselineCount / ((Date.now() - baselineStart) / 1000);
    console.log(
      `baseline: ${baselineCount} identities registered one call each: ${baselineRate.toFixed(0)}/s`,
    );

    const timed = async (
      label: string,
      text: string,
      query: string,
      count: (body: Record<string, unknown>) => number,
    ) => {
      const start = Date.now();
      const r = await postFile(
        `${system.apiUrl}/api/identities/import${query}`,
        system.tokens['hr-feed'],
        text,
      );
      const seconds = (Date.now() - start) / 1000;
      if (r.status !== 200)
        throw new Error(`${label} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
      const n = count(r.body);
      console.log(
        `${label}: ${JSON.stringify(r.body.counts)} in ${seconds.toFixed(1)} s — ${(size / seconds).toFixed(0)} lines/s` +
          (n
            ? `, ${(n / seconds).toFixed(0)} changes/s (${(n / seconds / baselineRate).toFixed(2)}× the baseline)`
            : ''),
      );
      return r.body;
    };
    const file = csv(people);
    await timed(`dry run (${size} lines)`, file, '?dryRun=true&limit=10', () => 0);
    const real = await timed(`real run (${size} lines)`, file, '', (b) => Number(b.applied));
    if ((real.failed as unknown[]).length)
      throw new Error(`failures: ${JSON.stringify(real.failed).slice(0, 500)}`);
    const again = await timed('same file again', file, '', (b) => Number(b.applied));
    if (Number(again.applied) !== 0) throw new Error(`the same file applied ${again.applied} changes`);
    const moved = people.map((p, i) => (i % 10 === 0 ? { ...p, department: 'Finance' } : p));
    await timed('10 % movers', csv(moved), '', (b) => Number(b.applied));
  } finally {
    await system.stop();
    await postgres.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `npm run screenshots`: pictures of the web console for the README. Starts the whole engine
 * (its own PostgreSQL cluster and NATS unless PROV_TEST_POSTGRES_URL is set), plays some sample
 * activity through the API, and saves PNGs of the main pages into docs/screenshots/
 * (1280 px wide, and the identity page at 390 px as on a phone).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Browser, Page } from 'playwright-core';
import {
  type ApiRoleName,
  launchChromium,
  type LaunchedChromium,
  repositoryRoot,
  type RunningPostgres,
  type RunningSystem,
  startPostgresCluster,
  startSystem,
  waitFor,
} from '@prov/testing';
import { SAMPLE_IDENTITIES } from './start/sample-data';

const root = repositoryRoot();
const outDir = join(root, 'docs', 'screenshots');
const say = (line: string) => process.stdout.write(`[screenshots] ${line}\n`);

interface RoleModelFile {
  connections: Array<{ id: string; settings?: Record<string, unknown> }>;
  resourceTypes: Array<{ id: string; connection: string }>;
  entitlements: Array<{ id: string; resourceType: string }>;
}

/**
 * The sample role model without the connections this run cannot reach (a directory whose
 * `...Env` settings name variables that are not set), so the pictures show the engine working
 * rather than a misconfigured connection. Written to a temporary file.
 */
function reachableSampleRoleModel(dir: string): string {
  const model = parse(
    readFileSync(join(root, 'deploy', 'role-model', 'sample.yaml'), 'utf8'),
  ) as RoleModelFile;
  const provided = new Set(['HR_APP_DATABASE_URL']); // startSystem() makes that database
  const reachable = (settings: Record<string, unknown> = {}) =>
    Object.entries(settings).every(
      ([key, value]) => !key.endsWith('Env') || provided.has(String(value)) || process.env[String(value)],
    );
  model.connections = model.connections.filter((c) => reachable(c.settings));
  const connections = new Set(model.connections.map((c) => c.id));
  model.resourceTypes = model.resourceTypes.filter((r) => connections.has(r.connection));
  const resourceTypes = new Set(model.resourceTypes.map((r) => r.id));
  model.entitlements = model.entitlements.filter((e) => resourceTypes.has(e.resourceType));
  const file = join(dir, 'role-model.yaml');
  writeFileSync(file, stringify(model));
  return file;
}

async function state(
  system: RunningSystem,
  assignmentId: string,
  wanted: string,
): Promise<{ currentOrder: { orderId: string } }> {
  const response = await waitFor(() => system.client('admin').get(`/api/assignments/${assignmentId}`), {
    until: (r) => r.status === 200 && r.body.provisioningState === wanted,
    timeoutMs: 60_000,
    description: `assignment ${assignmentId} to be ${wanted}`,
  });
  return response.body;
}

/** Sample activity: every state a console user meets, and one complete job. */
async function sampleActivity(system: RunningSystem): Promise<{ asOfAssignment: string; asOf: string }> {
  const admin = system.client('admin');
  for (const identity of SAMPLE_IDENTITIES) await admin.post('/api/identities', { body: identity });
  await waitFor(() => admin.get('/api/identities'), {
    until: (r) => r.body.length >= SAMPLE_IDENTITIES.length,
    description: 'the identities',
  });
  const request = async (identityId: string, entitlementId: string, comment?: string) =>
    (
      await system
        .client('requester')
        .post('/api/assignments', { body: { identityId, entitlementId, comment } })
    ).body.assignmentId as string;

  const aliceReader = await request('alice.martin', 'hr_app_reader', 'monthly payroll reports');
  await state(system, aliceReader, 'Executed');
  const aliceAdmin = await request(
    'alice.martin',
    'hr_app_admin',
    'covers for the HR administrator in August',
  );
  const aliceAwaiting = await state(system, aliceAdmin, 'AwaitingApproval');
  const asOf = new Date(Date.now() + 1500).toISOString();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await system.client('reviewer').post(`/api/review/orders/${aliceAwaiting.currentOrder.orderId}/approve`, {
    body: { comment: 'approved, ticket CHG-2041' },
  });
  await state(system, aliceAdmin, 'Executed');
  await request('alice.martin', 'building_badge', 'new office on the 3rd floor');

  const bobAdmin = await request('bob.nguyen', 'hr_app_admin', 'HR application support');
  await state(system, bobAdmin, 'AwaitingApproval');
  const davidAdmin = await request('david.okafor', 'hr_app_admin');
  await state(system, davidAdmin, 'AwaitingApproval');
  await state(system, await request('emma.schmidt', 'hr_app_broken', 'demo of a role-model error'), 'Error');
  for (const identityId of ['chloe.dubois', 'david.okafor', 'emma.schmidt']) {
    await state(system, await request(identityId, 'building_badge'), 'Transmitted');
  }
  await state(system, await request('chloe.dubois', 'hr_app_reader'), 'Executed');

  const started = await system.client('operator').post('/api/jobs/complete');
  await waitFor(() => system.client('operator').get(`/api/jobs/${started.body.jobId}`), {
    until: (r) => r.status === 200 && r.body.status !== 'Running',
    timeoutMs: 120_000,
    description: 'the complete job to finish',
  });
  return { asOfAssignment: aliceAdmin, asOf };
}

async function signedIn(
  browser: Browser,
  system: RunningSystem,
  role: ApiRoleName,
  width: number,
  height: number,
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: 1,
    locale: 'en-GB',
  });
  const page = await context.newPage();
  await page.goto(`${system.apiUrl}/`);
  await page.getByLabel('API token').fill(system.tokens[role]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

async function shoot(
  page: Page,
  name: string,
  path: string,
  ready: (page: Page) => Promise<unknown>,
  fullPage = true,
): Promise<void> {
  await page.goto(`${page.url().replace(/^(https?:\/\/[^/]+).*$/, '$1')}${path}`);
  await ready(page);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage });
  say(`saved docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  let postgres: RunningPostgres | undefined;
  let system: RunningSystem | undefined;
  let chromium: LaunchedChromium | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'prov-screenshots-'));
  try {
    if (!process.env.PROV_TEST_POSTGRES_URL) {
      postgres = await startPostgresCluster();
      process.env.PROV_TEST_POSTGRES_URL = postgres.url;
    }
    say('building and starting the engine');
    system = await startSystem({ roleModel: reachableSampleRoleModel(scratch) });
    chromium = await launchChromium();
    say('playing sample activity');
    const { asOfAssignment, asOf } = await sampleActivity(system);
    const wide = (role: ApiRoleName) => signedIn(chromium!.browser, system!, role, 1280, 800);

    const signIn = await chromium.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn.goto(`${system.apiUrl}/`);
    await signIn.getByLabel('API token').fill('not-a-valid-token');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('alert').waitFor();
    await signIn.screenshot({ path: join(outDir, 'sign-in.png') });
    say('saved docs/screenshots/sign-in.png');

    const admin = await wide('admin');
    await shoot(admin, 'directory', '/directory', (p) =>
      p.locator('tr[data-identity-id="alice.martin"]').waitFor(),
    );
    await shoot(admin, 'identity', '/identities/alice.martin', async (p) => {
      await p.locator('tr[data-entitlement-id="hr_app_admin"] .badge').waitFor();
      await p
        .locator('tr[data-entitlement-id="hr_app_admin"]')
        .getByRole('button', { name: /history/i })
        .click();
      await p.locator('[data-event-type="ProvisioningOrderApproved"]').waitFor();
    });
    await shoot(admin, 'request', '/request?identity=bob.nguyen', async (p) => {
      await p.getByRole('combobox', { name: /^Entitlement/ }).selectOption('hr_app_admin');
      await p.getByLabel('Start date').fill('2031-05-10T09:00:00');
      await p.getByLabel('End date').fill('2031-05-01T09:00:00');
      await p.getByRole('button', { name: 'Request', exact: true }).click();
      await p.locator('#endsAt-error').waitFor();
    });
    const reviewer = await wide('reviewer');
    await shoot(reviewer, 'review', '/review', async (p) => {
      await p.locator('tbody tr[data-order-id]').first().waitFor();
      await p.locator('tbody tr[data-order-id]').first().getByRole('checkbox').check();
    });
    const operator = await wide('operator');
    await shoot(operator, 'manual', '/manual', (p) => p.locator('tbody tr[data-order-id]').first().waitFor());
    await shoot(operator, 'jobs', '/jobs', (p) =>
      p.locator('section.job[data-job-status="Completed"]').waitFor(),
    );
    await shoot(operator, 'connections', '/connections', async (p) => {
      const row = p.locator('tr[data-connection-id="hr_app"]');
      await row.getByRole('button', { name: 'Test hr_app' }).click();
      await row.locator('[data-test-ok]').waitFor({ timeout: 30_000 });
    });
    await shoot(
      admin,
      'audit',
      `/audit?assignment=${asOfAssignment}&asOf=${encodeURIComponent(asOf)}`,
      async (p) => {
        await p.locator('.snapshot').first().waitFor();
        await p.locator('tbody tr[data-event-type]').first().waitFor();
      },
      false, // the log is long: the first screenful shows both parts
    );
    const phone = await signedIn(chromium.browser, system, 'requester', 390, 844);
    await shoot(phone, 'identity-390px', '/identities/alice.martin', (p) =>
      p.locator('tr[data-entitlement-id="hr_app_admin"] .badge').waitFor(),
    );
  } finally {
    await chromium?.close();
    await system?.stop();
    await postgres?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`[screenshots] failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);

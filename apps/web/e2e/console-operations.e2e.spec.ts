import { readFileSync } from 'node:fs';
import { type RunningSystem, waitFor } from '@prov/testing';
import {
  goTo,
  localInput,
  orderOf,
  registerIdentity,
  requestThroughApi,
  setUpConsoleSuite,
  waitForState,
} from './console-harness';

jest.setTimeout(180_000);

/**
 * The web console in Debian's Chromium against the whole engine: the operators' pages (manual
 * provisioning, jobs, connections), audit, and the narrow (390 px) layout.
 */
describe('web console: operations and audit', () => {
  const suite = setUpConsoleSuite();
  const open = suite.open;
  let system: RunningSystem;
  beforeAll(() => {
    system = suite.system;
  });

  it('manual provisioning: an operator confirms a transmitted order', async () => {
    const identityId = await registerIdentity(system, 'Badgeholder');
    const assignmentId = await requestThroughApi(system, identityId, 'building_badge');
    await waitForState(system, assignmentId, 'Transmitted');
    const { page } = await open('operator');
    await goTo(page, 'Manual provisioning');
    await page.getByLabel('Identity', { exact: true }).fill(identityId);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const row = page.locator(`tr[data-order-id="${await orderOf(system, assignmentId)}"]`);
    await row.waitFor();
    await page.getByLabel('Comment').fill('badge handed over at reception');
    await row.getByRole('button', { name: /^Confirm/ }).click();
    await page.getByRole('status').filter({ hasText: '1 order confirmed.' }).waitFor();
    await waitForState(system, assignmentId, 'Executed');
    await row.waitFor({ state: 'detached' });
  });

  it('manual provisioning: CSV export downloads the transmitted orders', async () => {
    // One assignment per identity and entitlement: two manual entitlements, one order each.
    const identityId = await registerIdentity(system, 'Csvexport');
    const assignments = [
      await requestThroughApi(system, identityId, 'building_badge'),
      await requestThroughApi(system, identityId, 'parking_badge'),
    ];
    for (const id of assignments) await waitForState(system, id, 'Transmitted');
    const orders = await Promise.all(assignments.map((id) => orderOf(system, id)));
    const { page } = await open('operator');
    await goTo(page, 'Manual provisioning');
    await page.getByLabel('Identity', { exact: true }).fill(identityId);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await waitFor(() => page.locator('tbody tr[data-order-id]').count(), {
      until: (n) => n === 2,
      description: 'two orders',
    });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^Export CSV/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^manual-orders-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toContain('"orderId","assignmentId","identityId","entitlementId"');
    expect(lines).toHaveLength(3);
    for (const orderId of orders) expect(csv).toContain(`"${orderId}"`);
    expect(csv).toContain(`"${identityId}","building_badge","badge_office","Added","${identityId}"`);
  });

  it('job execution: the complete job runs, its tasks progressing to Completed on the page', async () => {
    const { page } = await open('operator');
    await goTo(page, 'Job Execution');
    // Every task status the page ever shows, recorded in the page as it renders.
    await page.evaluate(`
      window.taskStatuses = new Set();
      new MutationObserver(() => {
        document.querySelectorAll('section.job [data-task-status]').forEach((task) => window.taskStatuses.add(task.getAttribute('data-task-status')));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    await page.getByRole('button', { name: 'Start the complete job' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Complete job .* started/ })
      .waitFor();
    const job = page.locator('section.job');
    await waitFor(() => job.getAttribute('data-job-status', { timeout: 1000 }), {
      until: (status) => status === 'Completed',
      timeoutMs: 90_000,
      description: 'the job to show as Completed',
    });
    const tasks = await job
      .locator('[data-task-status]')
      .evaluateAll((items) =>
        items.map((i) => [i.getAttribute('data-task'), i.getAttribute('data-task-status')]),
      );
    expect(tasks).toEqual([
      ['evaluate-role-model', 'Completed'],
      ['fulfil', 'Completed'],
      ['synchronize', 'Completed'],
      ['verify', 'Completed'],
      ['report-drift', 'Completed'],
    ]);
    expect(await job.locator('.progress-label').textContent()).toMatch(/5 of 5 tasks finished/);
    // The tasks were seen before they were all done (Pending from the moment the job started):
    // the page followed the job to its end without a reload.
    const seen = await page.evaluate<string[]>('[...window.taskStatuses]');
    expect(seen).toContain('Completed');
    expect(seen.some((status) => status === 'Running' || status === 'Pending')).toBe(true);
    await waitFor(() => page.locator('tbody tr[data-job-id]').count(), {
      until: (n) => n >= 1,
      description: 'the job in the list of runs',
    });
  });

  it('connections: hr_app is listed and its test passes; non-conforming resources can be listed', async () => {
    const { page } = await open('operator');
    await goTo(page, 'Connections');
    const row = page.locator('tr[data-connection-id="hr_app"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/HR application/);
    await row.getByRole('button', { name: 'Test hr_app' }).click();
    await row.locator('[data-test-ok="true"]').waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-test-ok]').textContent()).toMatch(/Test passed: connected/);
    await row.getByRole('button', { name: /Non-conforming/ }).click();
    await page
      .locator('#non-conforming-hr_app')
      .getByText(/non-conforming|nothing unexpected/)
      .first()
      .waitFor();
  });

  it('audit: an assignment as of an earlier instant shows its earlier state', async () => {
    const identityId = await registerIdentity(system, 'Asof');
    const assignmentId = await requestThroughApi(system, identityId, 'hr_app_admin');
    await waitForState(system, assignmentId, 'AwaitingApproval');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const orderId = await orderOf(system, assignmentId);
    expect(
      (
        await system
          .client('reviewer')
          .post(`/api/review/orders/${orderId}/approve`, { body: { comment: 'ok' } })
      ).status,
    ).toBe(200);
    await waitForState(system, assignmentId, 'Executed');

    const { page } = await open('reviewer');
    await goTo(page, 'Audit');
    await page.locator('#asof-assignment').fill(assignmentId);
    await page.locator('#asof-instant').fill(localInput(before));
    await page.getByRole('button', { name: 'Show state' }).click();
    const then = page.locator('.snapshot').first();
    await then.waitFor();
    await waitFor(() => then.locator('.badge').textContent(), {
      until: (text) => text === '5 AwaitingApproval',
      description: 'the earlier state',
    });
    await waitFor(() => page.locator('.snapshot[data-snapshot="Now"] .badge').textContent(), {
      until: (text) => text === '8 Executed',
      description: 'the state now',
    });

    await page.getByLabel('Stream', { exact: true }).fill(`assignment-${assignmentId}`);
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.locator('tbody tr[data-event-type="ProvisioningOrderApproved"]').waitFor();
    await waitFor(() => page.locator('tbody tr[data-event-type]').count(), {
      until: (n) => n >= 4,
      description: 'the assignment events in the log',
    });
  });

  it('audit log: the event log filtered by stream, type, actor and time, paged, and exported', async () => {
    const identityId = await registerIdentity(system, 'Auditlog');
    const response = await system.client('requester').post('/api/assignments', {
      body: { identityId, entitlementId: 'hr_app_reader', comment: 'for the auditors' },
    });
    const assignmentId = response.body.assignmentId as string;
    await waitForState(system, assignmentId, 'Executed');
    const stream = `assignment-${assignmentId}`;
    // What the API answers for the same filters: the page must show exactly that.
    const events = (await system.client('reviewer').get(`/api/audit/events?stream=${stream}`)).body
      .events as Array<{
      type: string;
      actor: string | null;
      position: string;
    }>;
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['AssignmentRequested', 'ProvisioningOrderExecuted']),
    );
    const requester = events.find((e) => e.type === 'AssignmentRequested')!.actor!;

    const { page } = await open('reviewer');
    await goTo(page, 'Audit');
    const rows = page.locator('section[aria-labelledby="log-heading"] tbody tr[data-event-type]');
    const typesShown = () => rows.evaluateAll((items) => items.map((i) => i.getAttribute('data-event-type')));
    const search = page.getByRole('search', { name: 'Filter the event log' });
    await search.getByLabel('Stream', { exact: true }).fill(stream);
    await search.getByRole('button', { name: 'Show events' }).click();
    await waitFor(typesShown, {
      until: (types) => JSON.stringify(types) === JSON.stringify(events.map((e) => e.type)),
      description: "the stream's events, in the order recorded",
    });
    const first = rows.first();
    expect(await first.textContent()).toMatch(
      new RegExp(
        `${identityId}.*hr_app_reader.*${requester.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*for the auditors`,
        's',
      ),
    );
    await first.getByRole('link', { name: /^Explain/ }).waitFor();

    await search.getByLabel('Event type', { exact: true }).fill('ProvisioningOrderExecuted');
    await search.getByRole('button', { name: 'Show events' }).click();
    await waitFor(typesShown, {
      until: (t) => t.join() === 'ProvisioningOrderExecuted',
      description: 'only the execution',
    });

    await search.getByLabel('Event type', { exact: true }).fill('');
    await search.getByRole('searchbox', { name: 'Actor' }).fill(requester);
    await search.getByRole('button', { name: 'Show events' }).click();
    const byActor = events.filter((e) => e.actor === requester).map((e) => e.type);
    await waitFor(typesShown, {
      until: (t) => t.join() === byActor.join(),
      description: "the requester's events only",
    });

    await search.getByLabel('From').fill(localInput(new Date(Date.now() + 3_600_000)));
    await search.getByRole('button', { name: 'Show events' }).click();
    await page.getByText('No event matches these filters.').waitFor();

    // Exports: the whole filtered log, as the API writes it.
    await search.getByRole('button', { name: 'Clear filters' }).click();
    await search.getByLabel('Stream', { exact: true }).fill(stream);
    await search.getByRole('button', { name: 'Show events' }).click();
    await waitFor(() => rows.count(), { until: (n) => n === events.length, description: 'the stream again' });
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(/^audit-log-.*\.csv$/);
    const csv = readFileSync((await csvDownload.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('position,occurredAt,streamName,revision,type,actor,data,metadata');
    expect(csv.slice(1).map((line) => line.split(',')[4])).toEqual(events.map((e) => e.type));
    const [jsonDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON lines' }).click(),
    ]);
    const lines = readFileSync((await jsonDownload.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l: { position: string }) => l.position)).toEqual(events.map((e) => e.position));

    // Paging: the whole log (hundreds of events by now) ten a page; next, then back.
    await search.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Per page').selectOption('10');
    await waitFor(() => rows.count(), { until: (n) => n === 10, description: 'a page of ten' });
    const firstOfPage = () => rows.first().getAttribute('data-position');
    const pageOne = await firstOfPage();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(/^Page 2/).waitFor();
    await waitFor(firstOfPage, { until: (p) => p !== null && p !== pageOne, description: 'the second page' });
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText(/^Page 1/).waitFor();
    await waitFor(firstOfPage, { until: (p) => p === pageOne, description: 'the first page again' });
  });

  it('audit, what-if and stuck orders: permissions as of now, a candidate model previewed, the stuck list shown', async () => {
    const identityId = await registerIdentity(system, 'Whatif');
    const assignmentId = await requestThroughApi(system, identityId, 'building_badge');
    await waitForState(system, assignmentId, 'Transmitted');

    const { page } = await open('admin');
    await goTo(page, 'Audit');
    await page.locator('#pasof-id').fill(identityId);
    await page.locator('#pasof-instant').fill(localInput(new Date(Date.now() + 1000)));
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    // The event log below lists the entitlement too: look in the panel's own table.
    await page
      .locator('section[aria-labelledby="permissions-as-of-heading"]')
      .getByRole('cell', { name: 'building_badge' })
      .waitFor();

    await goTo(page, 'What-if');
    const sample = readFileSync(require.resolve('../../../deploy/role-model/sample.yaml'), 'utf8');
    await page
      .locator('#candidate-yaml')
      .fill(
        sample.replace('  - id: building_badge\n    name: Building badge\n    resourceType: badge\n\n', ''),
      );
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('cell', { name: identityId }).first().waitFor();
    expect(await page.locator('#preview-heading').textContent()).toContain('→');
    await page.locator('#candidate-yaml').fill('version: 1\nconnections: [');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/YAML syntax/);

    await goTo(page, 'Stuck orders');
    await page.locator('#stuck-heading', { hasText: /\d+ stuck/ }).waitFor();
  });

  it('is readable at 390 px: no sideways scrolling, navigation behind a menu button', async () => {
    const identityId = await registerIdentity(system, 'Narrow');
    await requestThroughApi(system, identityId, 'hr_app_reader');
    const { page } = await open('admin', { width: 390, height: 844 });
    const overflow = () =>
      page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Provisioning Review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Provisioning Review' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.goto(`${system.apiUrl}/identities/${identityId}`);
    await page.locator('tr[data-entitlement-id="hr_app_reader"] .badge').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
  });
});

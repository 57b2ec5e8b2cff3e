import { type RunningSystem, waitFor } from '@prov/testing';
import {
  goTo,
  orderOf,
  registerIdentity,
  requestThroughApi,
  setUpConsoleSuite,
  waitForState,
} from './console-harness';

jest.setTimeout(180_000);

/**
 * The web console in Debian's Chromium against the whole engine (every service a process):
 * signing in, what each role sees, the directory, requests and provisioning review, as the
 * people who run it would use them.
 */
describe('web console: requests and review', () => {
  const suite = setUpConsoleSuite();
  const open = suite.open;
  let system: RunningSystem;
  beforeAll(() => {
    system = suite.system;
  });

  it('serves the console at / and deep links, and keeps /api the API', async () => {
    const index = await fetch(`${system.apiUrl}/review`, { headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const unknownApi = await system.api.get('/api/no-such-thing', { token: system.tokens.admin });
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.body).toMatchObject({ statusCode: 404 });
    // The live stream takes the token from the query (EventSource sends no headers); no other route does.
    expect((await system.api.get('/api/events', { token: null })).status).toBe(401);
    expect((await system.api.get('/api/events?access_token=wrong-token', { token: null })).status).toBe(401);
    expect(
      (await system.api.get(`/api/identities?access_token=${system.tokens.admin}`, { token: null })).status,
    ).toBe(401);
    expect((await system.api.get('/api/session', { token: system.tokens.reviewer })).body).toMatchObject({
      role: 'reviewer',
    });
  });

  it('sign-in with a bad token says so in plain words', async () => {
    const { page } = await open(null);
    await page.getByLabel('API token').fill('not-a-valid-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/token was not accepted/i);
    expect(await alert.textContent()).not.toMatch(/[{}]|statusCode/);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });

  it('a requester sees neither review nor manual provisioning, nor any approve button', async () => {
    const { page } = await open('requester');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual([
      'Directory',
      'Request',
      'Job Execution',
      'Connections',
      'Audit',
    ]);
    await page.goto(`${system.apiUrl}/review`);
    await page.getByText('Your role may not use this page.').waitFor();
    expect(await page.getByRole('button', { name: /approve/i }).count()).toBe(0);
    await goTo(page, 'Job Execution');
    expect(await page.getByRole('button', { name: /start the complete job/i }).count()).toBe(0);
    await goTo(page, 'Connections');
    await page.locator('tr[data-connection-id="hr_app"]').waitFor();
    expect(await page.getByRole('button', { name: /^test/i }).count()).toBe(0);
  });

  it('directory: searching finds an identity, whose page shows its permissions', async () => {
    const wanted = await registerIdentity(system, 'Zanzibar');
    await registerIdentity(system, 'Elsewhere');
    const assignmentId = await requestThroughApi(system, wanted, 'hr_app_reader');
    await waitForState(system, assignmentId, 'Executed');
    const { page } = await open('requester');
    await page.getByRole('searchbox', { name: 'Search' }).fill('zanzibar');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`tr[data-identity-id="${wanted}"]`).waitFor();
    await waitFor(() => page.locator('tbody tr[data-identity-id]').count(), {
      until: (n) => n === 1,
      description: 'the one identity found',
    });
    await page.getByRole('link', { name: 'Test Zanzibar' }).click();
    await page.getByRole('tab', { name: 'View Permissions', selected: true }).waitFor();
    const row = page.locator(`tr[data-assignment-id="${assignmentId}"]`);
    await waitFor(() => row.locator('.badge').textContent(), {
      until: (text) => text === '8 Executed',
      description: 'the badge 8 Executed',
    });
    await row.getByRole('button', { name: /history/i }).click();
    const timeline = page.getByRole('list', { name: 'History of hr_app_reader' });
    await timeline.locator('[data-event-type="ProvisioningOrderExecuted"]').waitFor();
    expect(await timeline.textContent()).toMatch(/Requested.*by requester-/);
  });

  it('request: a field the gateway refuses is marked at the field; a valid request is recorded', async () => {
    const identityId = await registerIdentity(system, 'Fielding');
    const { page } = await open('requester');
    await goTo(page, 'Request');
    await page.getByLabel('Identity').first().fill(identityId);
    await page.getByRole('combobox', { name: /^Entitlement/ }).selectOption('hr_app_reader');
    await page.getByLabel('Start date').fill('2031-05-10T09:00:00');
    await page.getByLabel('End date').fill('2031-05-01T09:00:00');
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    const endsAt = page.getByLabel('End date');
    await page.locator('#endsAt-error').waitFor();
    expect(await page.locator('#endsAt-error').textContent()).toMatch(/must be after start date/i);
    expect(await endsAt.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('endsAt');

    await endsAt.fill('2031-06-01T09:00:00');
    await page.getByLabel('Comment').fill('needs the reports for the audit');
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Requested HR application - reader for ${identityId}` })
      .waitFor();
    // The read model follows the recorded request a moment later.
    const [assignment] = (
      await waitFor(() => system.client('admin').get(`/api/identities/${identityId}/permissions`), {
        until: (r) => Array.isArray(r.body) && r.body.length > 0,
        timeoutMs: 30_000,
        description: 'the requested assignment in the permissions',
      })
    ).body;
    expect(assignment).toMatchObject({
      entitlementId: 'hr_app_reader',
      startsAt: new Date('2031-05-10T09:00:00').toISOString(),
    });

    // And revoked again, from the same page.
    await page.getByRole('radio', { name: 'Revoke an entitlement' }).check();
    await page.getByLabel('Identity').first().fill(identityId);
    await page.getByRole('combobox', { name: /^Assignment to revoke/ }).selectOption(assignment.assignmentId);
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Revocation of the assignment recorded for ${identityId}` })
      .waitFor();
    await waitFor(() => system.client('admin').get(`/api/assignments/${assignment.assignmentId}`), {
      until: (r) => r.body.workflowState !== 'Requested',
      description: 'the assignment to be revoked',
    });
  });

  it('full review flow: a sensitive request approved in Provisioning Review turns Executed on the identity page, live', async () => {
    const identityId = await registerIdentity(system, 'Reviewflow');
    const requester = await open('requester');
    await goTo(requester.page, 'Request');
    await requester.page.getByLabel('Identity').first().fill(identityId);
    await requester.page.getByRole('combobox', { name: /^Entitlement/ }).selectOption('hr_app_admin');
    await requester.page.getByLabel('Comment').fill('administers the HR application from Monday');
    await requester.page.getByRole('button', { name: 'Request', exact: true }).click();
    await requester.page.getByRole('link', { name: `Open ${identityId}` }).click();
    const badge = requester.page.locator('tr[data-entitlement-id="hr_app_admin"] .badge');
    await waitFor(() => badge.textContent(), {
      until: (text) => text === '5 AwaitingApproval',
      timeoutMs: 20_000,
      description: 'AwaitingApproval',
    });
    // From here on the page must change by itself: no reload, no navigation.
    await requester.page.evaluate("window.marker = 'still the same page'");
    let navigations = 0;
    requester.page.on('framenavigated', (frame) => {
      if (frame === requester.page.mainFrame()) navigations++;
    });

    const reviewer = await open('reviewer');
    await goTo(reviewer.page, 'Provisioning Review');
    await reviewer.page.getByLabel('Identity', { exact: true }).fill(identityId);
    await reviewer.page.getByRole('button', { name: 'Filter', exact: true }).click();
    const row = reviewer.page.locator('tbody tr[data-order-id]');
    await waitFor(() => row.count(), { until: (n) => n === 1, description: 'the one order of the identity' });
    await row.getByRole('checkbox').check();
    await reviewer.page.getByLabel('Comment').fill('approved: change ticket CHG-1234');
    await reviewer.page.getByRole('button', { name: 'Approve selected (1)' }).click();
    await reviewer.page.getByRole('status').filter({ hasText: '1 order approved.' }).waitFor();

    await waitFor(() => badge.textContent(), {
      until: (text) => text === '8 Executed',
      timeoutMs: 30_000,
      description: 'the identity page to show 8 Executed',
    });
    expect(await requester.page.evaluate('window.marker')).toBe('still the same page');
    expect(navigations).toBe(0);
    await requester.page
      .getByRole('status')
      .filter({ hasText: 'hr_app_admin is now 8 Executed' })
      .waitFor({ state: 'attached' });
    await requester.page.getByRole('button', { name: /history/i }).click();
    const approved = requester.page.locator('[data-event-type="ProvisioningOrderApproved"]');
    expect(await approved.textContent()).toMatch(/by reviewer-.*approved: change ticket CHG-1234/s);
  });

  it('review: several orders declined at once, with the keyboard', async () => {
    // One assignment per identity and entitlement: two sensitive entitlements, one order each.
    const identityId = await registerIdentity(system, 'Bulkdecline');
    const assignments = [
      await requestThroughApi(system, identityId, 'hr_app_admin'),
      await requestThroughApi(system, identityId, 'hr_app_auditor'),
    ];
    for (const id of assignments) await waitForState(system, id, 'AwaitingApproval');
    const { page } = await open('reviewer');
    await goTo(page, 'Provisioning Review');
    await page.getByLabel('Identity', { exact: true }).fill(identityId);
    await page.keyboard.press('Enter');
    await waitFor(() => page.locator('tbody tr[data-order-id]').count(), {
      until: (n) => n === 2,
      description: 'two orders',
    });
    await page.getByRole('checkbox', { name: 'Select all 2 orders' }).focus();
    await page.keyboard.press('Space');
    await page.getByLabel('Comment').fill('not needed');
    await page.getByRole('button', { name: 'Decline selected (2)' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '2 orders declined.' }).waitFor();
    for (const id of assignments) await waitForState(system, id, 'None');
    await page.getByText('Nothing to review with these filters.').waitFor();
  });

  it('explain: why a person has an entitlement, as one timeline from request to verification; and why not', async () => {
    const identityId = await registerIdentity(system, 'Explained');
    const response = await system.client('requester').post('/api/assignments', {
      body: { identityId, entitlementId: 'hr_app_admin', comment: 'runs payroll from Monday' },
    });
    expect(response.status).toBe(202);
    const assignmentId = response.body.assignmentId as string;
    await waitForState(system, assignmentId, 'AwaitingApproval');
    const orderId = await orderOf(system, assignmentId);
    const approval = await system
      .client('reviewer')
      .post(`/api/review/orders/${orderId}/approve`, { body: { comment: 'ticket CHG-77' } });
    expect(approval.status).toBe(200);
    await waitForState(system, assignmentId, 'Executed');
    await waitFor(() => system.client('operator').post('/api/jobs/complete'), {
      until: (r) => r.status === 202,
      timeoutMs: 30_000,
      description: 'the complete job to start',
    });
    await waitForState(system, assignmentId, 'Verified', 90_000);

    const { page } = await open('requester');
    await page.goto(`${system.apiUrl}/identities/${identityId}`);
    await page.getByRole('link', { name: 'Why hr_app_admin' }).click();
    await page.getByRole('tab', { name: 'Why?', selected: true }).waitFor();
    await page.locator('#why-answer', { hasText: 'Has hr_app_admin — held by a request' }).waitFor();
    const timeline = page.getByRole('list', { name: 'Explanation of hr_app_admin' });
    const steps = timeline.locator(':scope > li');
    // Retried until the page shows the whole chain, in order.
    await waitFor(() => steps.evaluateAll((items) => items.map((i) => i.getAttribute('data-step-kind'))), {
      until: (kinds) =>
        JSON.stringify(kinds) === JSON.stringify(['request', 'order', 'decision', 'attempt', 'observation']),
      description: 'the chain request → order → decision → attempt → observation',
    });
    const [request, order, decision, attempt, observation] = await steps.allTextContents();
    expect(request).toMatch(/Requested.*by requester-.*runs payroll from Monday/s);
    expect(order).toMatch(/Order Added generated.*origin request.*role model [0-9a-f]{12}/s);
    const version = (await system.client('reviewer').get('/api/role-model/versions')).body.versions[0].hash;
    expect(
      await steps.nth(1).locator('[data-role-model-version]').getAttribute('data-role-model-version'),
    ).toBe(version);
    const email = steps.nth(1).locator('tr[data-attribute="email"]');
    expect(await email.locator('td').allTextContents()).toEqual([
      'email',
      `email = "${identityId}@example.test"`,
      `"${identityId}@example.test"`,
    ]);
    expect(decision).toMatch(/Approved in provisioning review.*by reviewer-.*ticket CHG-77/s);
    expect(attempt).toMatch(/Attempt 1 executed/);
    expect(await steps.nth(3).locator('[data-connector-call]').textContent()).toMatch(
      /create-or-converge .*hr_app.* · attributes .*email.* · \d+ ms/,
    );
    expect(observation).toMatch(/Verified by synchronization/);

    // The assignment's own page tells the same chain.
    await page.getByRole('link', { name: "Open the assignment's explanation" }).click();
    await page.getByRole('heading', { level: 1, name: `Why ${identityId} has hr_app_admin` }).waitFor();
    await page
      .getByRole('list', { name: /Explanation of assignment/ })
      .locator('li[data-step-kind="observation"]')
      .waitFor();

    // Why not: an IT person lacks the finance directory group, and the page says why.
    await page.goto(`${system.apiUrl}/identities/${identityId}?tab=why`);
    await page.getByLabel('Entitlement', { exact: true }).selectOption('ldap_finance');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('#why-answer', { hasText: 'Does not have ldap_finance' }).waitFor();
    const whyNot = page.getByRole('list', { name: 'Why not' });
    expect(
      await whyNot.locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-reason'))),
    ).toEqual(['no-request', 'no-rule-holds']);
    expect(await whyNot.textContent()).toMatch(/rule finance_directory does not hold: .*department.*"IT"/);
  });

  it('identity: the origin of each assignment, an edit, deactivation and reactivation', async () => {
    const identityId = await registerIdentity(system, 'Mover', 'Finance');
    await requestThroughApi(system, identityId, 'hr_app_reader');
    const { page } = await open('requester');
    await page.goto(`${system.apiUrl}/identities/${identityId}`);
    const byRule = page.locator('tr[data-entitlement-id="ldap_finance"]');
    await byRule.getByText('Rule finance_directory').waitFor();
    expect(await byRule.getByRole('link', { name: /Revoke/ }).count()).toBe(0); // only the rule removes it
    await page
      .locator('tr[data-entitlement-id="hr_app_reader"]')
      .getByText('Request', { exact: true })
      .waitFor();

    await page.getByRole('tab', { name: 'Edit' }).click();
    await page.getByLabel('Last name').fill('Moved');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const identity = () => system.client('admin').get(`/api/identities/${identityId}`);
    await waitFor(identity, { until: (r) => r.body.lastName === 'Moved', description: 'the new last name' });

    await page.getByLabel('Comment').fill('left the company');
    await page.getByRole('button', { name: 'Deactivate' }).click();
    // The confirmation is transient (the page reloads the identity when its events arrive and the
    // form starts afresh), so the test waits for what stays: the API's state and the page's marker.
    await waitFor(identity, {
      until: (r) => r.body.active === false,
      description: 'the identity deactivated',
    });
    await page.getByText(/· Deactivated/).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Reactivate' }).click();
    await waitFor(identity, {
      until: (r) => r.body.active === true,
      description: 'the identity reactivated',
    });
  });
});

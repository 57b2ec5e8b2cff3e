import type { Page } from 'playwright-core';
import { hashApiToken } from '@prov/config';
import {
  freePort,
  launchChromium,
  type LaunchedChromium,
  type RunningOidcProvider,
  type RunningSystem,
  SAMPLE_PEOPLE,
  startOidcProvider,
  startSystem,
  waitFor,
} from '@prov/testing';
import {
  type ConsolePage,
  openConsole,
  registerIdentity,
  requestThroughApi,
  waitForState,
} from './console-harness';

jest.setTimeout(180_000);

const person = (subject: string) => SAMPLE_PEOPLE.find((p) => p.subject === subject)!;

/** Signs in on the provider's own page, as the person would, and waits for the console. */
async function signInWithOrganisation(page: Page, subject: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
  await page.getByLabel('Username').fill(subject);
  await page.getByLabel('Password').fill(person(subject).password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * People sign in to the console with OpenID Connect (a real provider, node-oidc-provider, as a
 * process; the gateway as relying party with PKCE), and what they do carries their name; machines
 * keep API tokens, which the configuration holds as hashes and whose name is the actor.
 */
describe('signing in with the organisation', () => {
  let provider: RunningOidcProvider | undefined;
  let system: RunningSystem | undefined;
  let chromium: LaunchedChromium | undefined;
  const opened: ConsolePage[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({ publicUrl });
    const [engine, browser] = await Promise.allSettled([
      startSystem({ port, serviceEnv: { gateway: provider.gatewayEnv(publicUrl) } }),
      launchChromium(),
    ]);
    if (engine.status === 'fulfilled') system = engine.value;
    if (browser.status === 'fulfilled') chromium = browser.value;
    if (engine.status === 'rejected') throw engine.reason;
    if (browser.status === 'rejected') throw browser.reason;
  });

  afterEach(async () => {
    const errors = opened.flatMap((page) => page.errors);
    await Promise.all(opened.splice(0).map((page) => page.close()));
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await chromium?.close();
    await system?.stop();
    await provider?.stop();
  });

  const open = async (path: string) => {
    const page = await openConsole(chromium!.browser, system!, null, { path });
    opened.push(page);
    return page.page;
  };

  it('a reviewer signs in, approves an order, and the history names her', async () => {
    const identityId = await registerIdentity(system!, 'Oidcapproval');
    const assignmentId = await requestThroughApi(system!, identityId, 'hr_app_admin');
    await waitForState(system!, assignmentId, 'AwaitingApproval');

    const page = await open('/review');
    await signInWithOrganisation(page, 'rita');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Back on the page she asked for, the session out of the address bar.
    await page.getByRole('heading', { level: 1, name: 'Provisioning Review' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.locator('.who').getAttribute('title')).toBe('Rita Reviewer (rita)');

    await page.getByLabel('Identity', { exact: true }).fill(identityId);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const row = page.locator('tbody tr[data-order-id]');
    await waitFor(() => row.count(), { until: (n) => n === 1, description: 'the one order of the identity' });
    await row.getByRole('checkbox').check();
    await page.getByLabel('Comment').fill('approved after the call with HR');
    await page.getByRole('button', { name: 'Approve selected (1)' }).click();
    await page.getByRole('status').filter({ hasText: '1 order approved.' }).waitFor();

    const history = await waitFor(
      () => system!.client('admin').get(`/api/assignments/${assignmentId}/history`),
      {
        until: (r) =>
          r.status === 200 && r.body.some((e: { type: string }) => e.type === 'ProvisioningOrderApproved'),
        description: 'the approval in the history',
      },
    );
    const approval = history.body.find((e: { type: string }) => e.type === 'ProvisioningOrderApproved');
    expect(approval.metadata.actor).toBe('Rita Reviewer (rita)');
    const request = history.body.find((e: { type: string }) => e.type === 'AssignmentRequested');
    expect(request?.metadata.actor).toBe('requester-bot');

    await page.goto(`${system!.apiUrl}/identities/${identityId}`);
    await page.getByRole('button', { name: /history/i }).click();
    const approved = page.locator('[data-event-type="ProvisioningOrderApproved"]');
    await approved.waitFor();
    expect(await approved.textContent()).toContain('Rita Reviewer (rita)');
  });

  it('the session works on the API as the person, and only for her role', async () => {
    const page = await open('/directory');
    await signInWithOrganisation(page, 'remy');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const session = (await page.evaluate("sessionStorage.getItem('prov.console.token')")) as string | null;
    expect(session).toBeTruthy();
    const api = system!.api.as(session!);
    expect((await api.get('/api/session')).body).toEqual({
      role: 'requester',
      actor: 'Rémy Requester (remy)',
      kind: 'person',
    });
    expect((await api.get('/api/review/orders')).status).toBe(403);
  });

  it('a person in no mapped group is told why, and is not signed in', async () => {
    const page = await open('/');
    await signInWithOrganisation(page, 'vic');
    await page.getByText(/none of your groups \(claim 'groups'\) gives a role here/).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it("a machine's token, configured as a hash, authenticates under its name; the hash does not", async () => {
    const session = await system!.client('operator').get('/api/session');
    expect(session.body).toEqual({ role: 'operator', actor: 'operator-bot', kind: 'token' });
    const hashAsToken = await system!.api.get('/api/session', {
      token: hashApiToken(system!.tokens.operator),
    });
    expect(hashAsToken.status).toBe(401);
  });
});

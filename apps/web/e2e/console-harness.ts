import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  type ApiRoleName,
  launchChromium,
  type LaunchedChromium,
  type RunningSystem,
  startSystem,
  waitFor,
} from '@prov/testing';

export interface ConsoleSuite {
  /** The engine, every service a process (started in beforeAll). */
  readonly system: RunningSystem;
  /** A new browser context and page at the console, signed in as the role (null: not signed in). */
  open(role: ApiRoleName | null, options?: { width?: number; height?: number }): Promise<ConsolePage>;
}

/**
 * The hooks of a console test file: the engine and Debian's Chromium for the whole file; every
 * page a test opened is closed after it (also when it failed), and a test fails if its pages
 * threw or logged errors; the browser and the engine stop after the file, whatever happened.
 */
export function setUpConsoleSuite(): ConsoleSuite {
  let system: RunningSystem | undefined;
  let chromium: LaunchedChromium | undefined;
  const opened: ConsolePage[] = [];

  beforeAll(async () => {
    const [engine, browser] = await Promise.allSettled([startSystem(), launchChromium()]);
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
  });

  return {
    get system() {
      if (!system) throw new Error('the system did not start');
      return system;
    },
    async open(role, options) {
      if (!chromium || !system) throw new Error('the system or the browser did not start');
      const page = await openConsole(chromium.browser, system, role, options);
      opened.push(page);
      return page;
    },
  };
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors and console errors of the page, to assert there were none. */
  errors: string[];
  close(): Promise<void>;
}

/** A new browser context (its own sessionStorage) with one page, signed in as the role. */
export async function openConsole(
  browser: Browser,
  system: RunningSystem,
  role: ApiRoleName | null,
  options: { width?: number; height?: number; path?: string } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    acceptDownloads: true,
    locale: 'en-GB',
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A failed API call is shown to the user as a message; the browser also logs it, which is fine.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      errors.push(`console: ${message.text()}`);
  });
  await page.goto(`${system.apiUrl}${options.path ?? '/'}`);
  if (role) await signIn(page, system.tokens[role]);
  return { page, context, errors, close: () => context.close().catch(() => undefined) };
}

/** Signs in through the form and waits for the console to open (its Sign out button). */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Goes to a page through the main navigation, as a person would. */
export async function goTo(page: Page, label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

let counter = 0;

/** Registers a fresh identity through the API (as admin) and returns its id. */
export async function registerIdentity(
  system: RunningSystem,
  lastName: string,
  department = 'IT',
): Promise<string> {
  const id = `${lastName.toLowerCase()}.${++counter}.${Date.now().toString(36)}`;
  const response = await system.client('admin').post('/api/identities', {
    body: { id, login: id, firstName: 'Test', lastName, email: `${id}@example.test`, department },
  });
  if (response.status !== 201)
    throw new Error(`registering ${id}: ${response.status} ${JSON.stringify(response.body)}`);
  await waitFor(() => system.client('admin').get(`/api/identities/${id}`), {
    until: (r) => r.status === 200,
    description: `${id} in the directory`,
  });
  return id;
}

/** Requests an entitlement through the API and returns the assignment id. */
export async function requestThroughApi(
  system: RunningSystem,
  identityId: string,
  entitlementId: string,
): Promise<string> {
  const response = await system
    .client('requester')
    .post('/api/assignments', { body: { identityId, entitlementId } });
  if (response.status !== 202)
    throw new Error(`requesting ${entitlementId}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.assignmentId as string;
}

/** Waits until the assignment is in the state (name) and returns it. */
export async function waitForState(
  system: RunningSystem,
  assignmentId: string,
  state: string,
  timeoutMs = 30_000,
) {
  const response = await waitFor(() => system.client('admin').get(`/api/assignments/${assignmentId}`), {
    until: (r) => r.status === 200 && r.body.provisioningState === state,
    timeoutMs,
    description: `assignment ${assignmentId} to be ${state}`,
  });
  return response.body;
}

/** The current order id of an assignment. */
export async function orderOf(system: RunningSystem, assignmentId: string): Promise<string> {
  const response = await system.client('admin').get(`/api/assignments/${assignmentId}`);
  return response.body.currentOrder.orderId as string;
}

/** `datetime-local` value of an instant in this machine's time zone (the browser's too). */
export function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

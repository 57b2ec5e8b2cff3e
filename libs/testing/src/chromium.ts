import type { Browser } from 'playwright-core';
import { ensureDebianPackage } from './debian-packages';

/** Debian's Chromium: the browser the console's tests drive (`npx playwright install` cannot download one here). */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, reproducible headless Chromium that reaches nothing but the pages it is sent to. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedChromium {
  browser: Browser;
  /** Closes the browser (its temporary profile goes with it); never throws. */
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium through playwright-core. The `chromium` package is installed when
 * running as root; otherwise the error names it. Playwright gives each launch a fresh profile
 * (`--user-data-dir` in a new temporary directory) and removes it on close.
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  ensureDebianPackage(CHROMIUM, 'chromium');
  // Loaded here, so that what imports @prov/testing without a browser does not load Playwright.
  const { chromium } = await import('playwright-core');
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
  } catch (error) {
    throw new Error(`could not start ${CHROMIUM} (Debian package 'chromium'): ${(error as Error).message}`);
  }
  return { browser, close: () => browser.close().catch(() => undefined) };
}

import { join } from 'node:path';
import { consoleDirectory, isConsolePage } from './console-static';

describe('serving the web console', () => {
  it('answers pages of the console with its index, deep links included', () => {
    expect(isConsolePage('GET', '/', 'text/html,application/xhtml+xml')).toBe(true);
    expect(isConsolePage('GET', '/review', 'text/html')).toBe(true);
    expect(isConsolePage('GET', '/identities/alice.martin', 'text/html')).toBe(true);
    expect(isConsolePage('HEAD', '/jobs', undefined)).toBe(true);
  });

  it('leaves the API, missing assets, other methods and non-HTML requests alone', () => {
    expect(isConsolePage('GET', '/api', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/api/identities', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/assets/index-abc.js', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/favicon.ico', '*/*')).toBe(false);
    expect(isConsolePage('POST', '/review', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/review', 'application/json')).toBe(false);
  });

  it('finds the build next to the compiled gateway, or where CONSOLE_DIR says', () => {
    expect(consoleDirectory({}, join('/srv', 'dist', 'apps', 'gateway', 'src', 'web'))).toBe(
      join('/srv', 'dist', 'web'),
    );
    expect(consoleDirectory({ CONSOLE_DIR: '/opt/console' })).toBe('/opt/console');
  });
});

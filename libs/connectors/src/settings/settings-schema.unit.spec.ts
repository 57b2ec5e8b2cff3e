import type { RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import { dn } from './settings-rules';
import {
  connectorSettings,
  list,
  mapping,
  oneOf,
  optional,
  record,
  renamed,
  secret,
  text,
  wholeNumber,
} from './settings-schema';

const readPark = connectorSettings(
  'park',
  {
    host: text('must be a host name', { test: /^[a-z.]+$/ }),
    baseDn: dn(),
    passwordEnv: renamed(
      'password',
      secret({ test: (p) => !p.includes('\n'), rule: 'must be a single line' }),
    ),
    pageSize: wholeNumber(100, { max: 1000 }),
    mode: oneOf(['fast', 'safe'], 'safe'),
    gates: list(/^[a-z]+$/, 'must be a list of gate names', { default: ['main'] }),
    labels: record(/^[a-z]+$/, 'must be a lowercase word', 'must be a mapping of names to words'),
    lane: mapping(
      { depth: wholeNumber(1), note: optional(text('must be a non-empty text')) },
      { rule: 'must be a mapping with depth and note', default: { depth: 1 } },
    ),
  },
  (read, at) => {
    if (read.mode === 'fast' && read.pageSize > 500)
      at.child('pageSize').problem('must be 500 at most when fast');
    return read;
  },
);

const good = { host: 'park.example', baseDn: 'ou=gates, dc=example', passwordEnv: 'PARK_PASSWORD' };
const env = { PARK_PASSWORD: 'pa55-w0rd' };

function connection(settings: Record<string, unknown>): RoleModelConnection {
  return { id: 'north', name: 'North', connector: 'scim', fulfillment: 'automatic', settings };
}

function problemsOf(settings: Record<string, unknown>, environment: Record<string, string> = env): string[] {
  try {
    readPark(connection(settings), environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorConfigurationError);
    expect((error as ConnectorConfigurationError).code).toBe('CONFIGURATION');
    const message = (error as Error).message;
    expect(message).toMatch(/^park connection 'north' is misconfigured: /);
    return message.replace(/^park connection 'north' is misconfigured: /, '').split(/; (?!did you mean)/);
  }
  throw new Error('expected the settings to be refused');
}

describe('settings schema', () => {
  it('reads well-formed settings, applying defaults, renaming secrets and leaving absent options out', () => {
    expect(readPark(connection({ ...good, lane: { depth: 3, note: ' slow ' } }), env)).toEqual({
      host: 'park.example',
      baseDn: 'ou=gates, dc=example',
      password: 'pa55-w0rd',
      pageSize: 100,
      mode: 'safe',
      gates: ['main'],
      labels: {},
      lane: { depth: 3, note: 'slow' },
    });
    const read = readPark(connection({ ...good, gates: ['east', 'east', 'west'] }), env);
    expect(read.gates).toEqual(['east', 'west']);
    expect(read.lane).not.toHaveProperty('note');
  });

  it('lists every problem in order: unknown keys first, each naming its path and rule', () => {
    expect(
      problemsOf({
        baseDn: 'gates',
        passwordEnv: 'PARK_PASSWORD',
        pageSise: 10,
        pageSize: 'ten',
        mode: 'slow',
        gates: ['Main'],
        labels: { a: 'b', c: 'D' },
        lane: { dept: 2, depth: 0, note: '' },
      }),
    ).toEqual([
      "settings.pageSise is not a setting of the park connector (known: host, baseDn, passwordEnv, pageSize, mode, gates, labels, lane); did you mean 'pageSize'?",
      'settings.host must be a host name',
      'settings.baseDn must be a distinguished name such as ou=people,dc=example,dc=com',
      'settings.pageSize must be a whole number from 1 to 1000',
      'settings.mode must be one of fast, safe',
      'settings.gates must be a list of gate names',
      'settings.labels.c must be a lowercase word',
      "settings.lane.dept is not a setting of lane (known: depth, note); did you mean 'depth'?",
      'settings.lane.depth must be a whole number of at least 1',
      'settings.lane.note must be a non-empty text',
    ]);
  });

  it('says what a nested mapping must be, and checks what spans settings after the rest', () => {
    expect(problemsOf({ ...good, lane: [1], labels: 'x', mode: 'fast', pageSize: 800 })).toEqual([
      'settings.labels must be a mapping of names to words',
      'settings.lane must be a mapping with depth and note',
      'settings.pageSize must be 500 at most when fast',
    ]);
  });

  it('names the variable of a missing or malformed secret, never its value', () => {
    expect(problemsOf(good, {})).toEqual([
      "connection 'north': environment variable PARK_PASSWORD (settings.passwordEnv) is not set or empty",
    ]);
    const { passwordEnv: _, ...withoutSecret } = good;
    expect(problemsOf(withoutSecret)[0]).toMatch(/^connection 'north' has no setting 'passwordEnv'/);
    const multiline = problemsOf(good, { PARK_PASSWORD: 'a\nb' });
    expect(multiline).toEqual([
      'the environment variable PARK_PASSWORD (settings.passwordEnv) must be a single line',
    ]);
  });
});

import { hashApiToken, jsonLogLine, parseApiTokens } from '@prov/config';
import {
  API_ROLE_NAMES,
  appOf,
  formatApiTokens,
  generateApiTokens,
  SERVICE_READY_PATTERN,
  serviceCommand,
  serviceEnvironment,
  serviceInstances,
} from './services';

const input = {
  natsUrl: 'nats://127.0.0.1:4333',
  databaseUrl: 'postgres://postgres@127.0.0.1:5999/engine',
  hrAppDatabaseUrl: 'postgres://postgres@127.0.0.1:5999/hr',
  roleModel: '/repo/deploy/role-model/sample.yaml',
  apiTokens: 'abcdefgh:admin',
  port: 18080,
  base: { PATH: '/usr/bin', PORT: '9999', LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://elsewhere/db' },
};

describe('service processes', () => {
  it('knows the app of an instance name and refuses unknown ones', () => {
    expect(appOf('agent')).toBe('agent');
    expect(appOf('agent-3')).toBe('agent');
    expect(() => appOf('billing')).toThrow(/unknown service 'billing'/);
    expect(() => appOf('agent_2')).toThrow(/unknown service/);
  });

  it('starts every app once by default, plus numbered extra agents', () => {
    expect(serviceInstances()).toEqual(['gateway', 'requests', 'review', 'orders', 'agent', 'projector']);
    expect(serviceInstances(['gateway', 'agent', 'agent'], 2)).toEqual([
      'gateway',
      'agent',
      'agent-2',
      'agent-3',
    ]);
  });

  it('starts N copies of an app, named <app>-<n>, extra agents numbered after them', () => {
    expect(serviceInstances(['orders', 'agent', 'projector'], 1, { orders: 2, agent: 2 })).toEqual([
      'orders',
      'agent',
      'projector',
      'orders-2',
      'agent-2',
      'agent-3',
    ]);
    expect(() => serviceInstances(['orders'], 0, { orders: 0 })).toThrow(
      /replicas.orders must be a whole number of 1 or more/,
    );
  });

  it('generates a distinct token per role that the gateway accepts', () => {
    const tokens = generateApiTokens('demo');
    expect(Object.keys(tokens)).toEqual([...API_ROLE_NAMES]);
    expect(new Set(Object.values(tokens)).size).toBe(API_ROLE_NAMES.length);
    expect(tokens.reviewer).toMatch(/^demo-reviewer-[0-9a-f]{24}$/);
    const parsed = parseApiTokens(formatApiTokens(tokens));
    for (const role of API_ROLE_NAMES)
      expect(parsed.get(hashApiToken(tokens[role]))).toMatchObject({ name: `${role}-bot`, role });
    expect(formatApiTokens(tokens)).not.toContain(tokens.admin);
    expect(generateApiTokens().admin).not.toEqual(generateApiTokens().admin);
  });

  it('refuses tokens the gateway would reject or misread', () => {
    expect(() => formatApiTokens({ admin: 'short' })).toThrow(/admin token/);
    expect(() => formatApiTokens({ admin: 'has:colon-inside' })).toThrow(/admin token/);
    expect(formatApiTokens({ operator: 'operator-token' })).toBe(
      `operator-bot:operator:${hashApiToken('operator-token')}`,
    );
  });

  it('gives every service the shared settings, and PORT to the gateway only', () => {
    const gateway = serviceEnvironment('gateway', input);
    expect(gateway).toMatchObject({
      PATH: '/usr/bin',
      NATS_URL: input.natsUrl,
      DATABASE_URL: input.databaseUrl,
      HR_APP_DATABASE_URL: input.hrAppDatabaseUrl,
      ROLE_MODEL: input.roleModel,
      API_TOKENS: 'abcdefgh:admin',
      PORT: '18080',
      LOG_LEVEL: 'debug',
    });
    expect(serviceEnvironment('orders', input).PORT).toBeUndefined();
    expect(serviceEnvironment('orders', { ...input, logLevel: 'warn' }).LOG_LEVEL).toBe('warn');
  });

  it('applies overrides last, and removes variables overridden with undefined', () => {
    const env = serviceEnvironment('agent', {
      ...input,
      overrides: { AGENT_MAX_DELIVER: '2', HR_APP_DATABASE_URL: undefined, NATS_URL: 'nats://other:1' },
    });
    expect(env.AGENT_MAX_DELIVER).toBe('2');
    expect(env.NATS_URL).toBe('nats://other:1');
    expect('HR_APP_DATABASE_URL' in env).toBe(false);
  });

  it('runs the built service with its heap limits, through the path registration', () => {
    const { command, args } = serviceCommand('/repo', 'review');
    expect(command).toBe(process.execPath);
    expect(args).toEqual([
      '--max-old-space-size=144',
      '--max-semi-space-size=8',
      '-r',
      '/repo/tools/runtime/register-paths.js',
      '/repo/dist/apps/review/src/main.js',
    ]);
  });

  it('recognises the line a service logs once it listens on NATS and serves its health port', () => {
    const line = JSON.stringify({
      level: 'log',
      context: 'orders',
      message: { msg: 'orders service started' },
    });
    expect(SERVICE_READY_PATTERN.test(line)).toBe(true);
    expect(SERVICE_READY_PATTERN.test(jsonLogLine('log', 'orders', { msg: 'orders service started' }))).toBe(
      true,
    );
    // Nest's line comes before the health port is bound: too early to count a service ready.
    expect(SERVICE_READY_PATTERN.test('{"message":"Nest microservice successfully started"}')).toBe(false);
    expect(SERVICE_READY_PATTERN.test('{"message":"Starting Nest application..."}')).toBe(false);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../environment';
import { readAgentSettings, readOperationsSettings } from '../operations';
import { renderConfigurationTable, withConfigurationTable } from './config-table';
import { CONFIGURATION_SCHEMA, validateVariables } from './schema';
import { readServiceConfiguration } from './service-configuration';

const ROOT = join(__dirname, '..', '..', '..', '..');
const problemsOf = (read: () => unknown): string[] => {
  try {
    read();
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
};

describe('the configuration schema', () => {
  it('stops orders on TIMER_INTERVAL_MS=abc, naming the variable and the rule once', () => {
    const problems = problemsOf(() =>
      readServiceConfiguration('orders', { NATS_URL: 'nats://127.0.0.1:4222', TIMER_INTERVAL_MS: 'abc' }),
    );
    expect(problems).toEqual([
      "TIMER_INTERVAL_MS must be an integer from 10 to 86400000 (milliseconds), got 'abc'",
    ]);
  });

  it('reports every wrong variable at once, and only those the service reads', () => {
    const env = {
      HEALTH_PORT: '70000',
      LOG_LEVEL: 'loud',
      AGENT_CONCURRENCY: '0',
      NATS_URL: 'http://x',
      DATABASE_POOL_SIZE: '1.5',
    };
    const problems = validateVariables('orders', env);
    expect(problems).toEqual([
      "NATS_URL must be a comma-separated list of URLs with scheme nats:// or tls:// or ws:// or wss://, got 'http://x'",
      "DATABASE_POOL_SIZE must be an integer from 1 to 1000 (connections), got '1.5'",
      "LOG_LEVEL must be one of error, warn, log, debug, verbose, got 'loud'",
      "HEALTH_PORT must be an integer from 0 to 65535 (TCP port, 0: none), got '70000'",
    ]);
    expect(validateVariables('agent', env)).toContain(
      "AGENT_CONCURRENCY must be an integer from 1 to 1000 (orders), got '0'",
    );
  });

  it('never echoes a secret', () => {
    const problems = validateVariables('agent', {
      DATABASE_URL: 'mysql://user:hunter2@db/x',
      HR_APP_DATABASE_URL: 'hunter2',
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('accepts a NATS cluster as a list and types the operations settings', () => {
    expect(validateVariables('gateway', { NATS_URL: 'nats://a:4222, nats://b:4222,tls://c:4222' })).toEqual(
      [],
    );
    expect(
      readOperationsSettings({
        HEALTH_PORT: '9464',
        HEALTH_PEERS: 'orders=http://orders:9464,agent-2=http://a2:1',
        DATABASE_POOL_SIZE: '25',
      }),
    ).toMatchObject({
      host: '127.0.0.1',
      healthPort: 9464,
      healthPeers: { orders: 'http://orders:9464', 'agent-2': 'http://a2:1' },
      databasePoolSize: 25,
      healthCacheMs: 1000,
    });
    expect(readAgentSettings({ AGENT_CONNECTIONS: ' ldap , hr ' })).toMatchObject({
      connections: ['ldap', 'hr'],
      maxDeliver: 5,
      concurrency: 16,
    });
    expect(problemsOf(() => readOperationsSettings({ HEALTH_PEERS: 'orders' }))[0]).toMatch(
      /^HEALTH_PEERS must be 'name=http/,
    );
  });

  it('gives every integer a default inside its own range', () => {
    for (const spec of CONFIGURATION_SCHEMA.filter((s) => s.type === 'integer')) {
      const value = Number(spec.default);
      expect({
        name: spec.name,
        ok: spec.type === 'integer' && value >= spec.min && value <= spec.max,
      }).toEqual({ name: spec.name, ok: true });
    }
  });

  it('documents every variable the configuration library reads', () => {
    const dir = join(ROOT, 'libs', 'config', 'src');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.includes('.spec.'));
    const read = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const match of text.matchAll(
        /env(?:\.|\[')([A-Z][A-Z0-9_]+)|(?:variable|Variable\(env), '([A-Z][A-Z0-9_]+)'/g,
      ))
        read.add(match[1] ?? match[2]);
    }
    const documented = new Set(CONFIGURATION_SCHEMA.map((spec) => spec.name));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    expect(read.size).toBeGreaterThan(30);
  });

  it('matches the table in docs/operations.md (run `npm run config:table` after changing the schema)', () => {
    const document = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    expect(withConfigurationTable(document)).toBe(document);
    expect(renderConfigurationTable()).toContain(
      '| `TIMER_INTERVAL_MS` | orders | `5000` | an integer from 10 to 86400000 (milliseconds) |',
    );
  });
});

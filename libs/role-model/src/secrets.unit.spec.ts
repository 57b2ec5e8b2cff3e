import { MissingSecretError } from './errors';
import { parseRoleModel } from './parse/parse-role-model';
import { resolveConnectionSecret } from './secrets';

const model = parseRoleModel(
  `version: 1
connections:
  - id: app
    name: App
    connector: sql
    settings: { connectionStringEnv: APP_DB_URL, schema: app }
`,
  'secrets.yaml',
);

describe('secrets', () => {
  it('reads the environment variable a setting names, with or without the Env suffix', () => {
    const env = { APP_DB_URL: 'postgres://app:s3cret@db/app' };
    expect(model.resolveSecret('app', 'connectionStringEnv', env)).toBe('postgres://app:s3cret@db/app');
    expect(model.resolveSecret('app', 'connectionString', env)).toBe('postgres://app:s3cret@db/app');
  });

  it('uses process.env by default', () => {
    process.env.APP_DB_URL = 'from-process-env';
    try {
      expect(model.resolveSecret('app', 'connectionString')).toBe('from-process-env');
    } finally {
      delete process.env.APP_DB_URL;
    }
  });

  it('names the variable, never a value, when it is unset or empty', () => {
    for (const env of [{}, { APP_DB_URL: '' }]) {
      let error: MissingSecretError | undefined;
      try {
        model.resolveSecret('app', 'connectionString', env);
      } catch (e) {
        error = e as MissingSecretError;
      }
      expect(error).toBeInstanceOf(MissingSecretError);
      expect(error!.message).toBe(
        "connection 'app': environment variable APP_DB_URL (settings.connectionStringEnv) is not set or empty",
      );
      expect(error).toMatchObject({
        connectionId: 'app',
        settingName: 'connectionStringEnv',
        envVar: 'APP_DB_URL',
      });
    }
  });

  it('says when the connection has no such setting, or does not exist', () => {
    expect(() => model.resolveSecret('app', 'password', { APP_DB_URL: 'x' })).toThrow(
      "connection 'app' has no setting 'passwordEnv'",
    );
    expect(() => model.resolveSecret('nope', 'password', {})).toThrow("unknown connection 'nope'");
  });

  it('works on a bare connection object too (for connectors)', () => {
    const connection = {
      id: 'x',
      name: 'X',
      connector: 'sql' as const,
      fulfillment: 'automatic' as const,
      settings: { tokenEnv: 'X_TOKEN' },
    };
    expect(resolveConnectionSecret(connection, 'tokenEnv', { X_TOKEN: 't' })).toBe('t');
    expect(() => resolveConnectionSecret({ ...connection, settings: { tokenEnv: 42 } }, 'token', {})).toThrow(
      /must be the name of an environment variable/,
    );
  });
});

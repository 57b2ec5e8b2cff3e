import type { RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import { BUILT_IN_ACCOUNTS, BUILT_IN_MEMBERSHIPS } from './sql-mapping-settings';
import { readSqlSettings } from './sql-settings';
import { SqlStatements, sqlValue } from './sql-statements';

function connection(settings: Record<string, unknown>): RoleModelConnection {
  return { id: 'app', name: 'App', connector: 'sql', fulfillment: 'automatic', settings };
}

const env = { APP_DB: 'postgres://app:pw@db/app' };
const base = { connectionStringEnv: 'APP_DB', schema: 'app' };
const mapped = {
  ...base,
  createTables: false,
  accounts: { table: 'app_users', keyColumn: 'user_name', columns: { displayName: 'full_name', email: 'mail' } },
  memberships: { table: 'user_roles', accountColumn: 'user_name', groupColumn: 'role_name' },
};

function problemsOf(settings: Record<string, unknown>): string {
  try {
    readSqlSettings(connection(settings), env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be rejected');
}

describe('readSqlSettings', () => {
  it('keeps the built-in tables when nothing is mapped', () => {
    expect(readSqlSettings(connection(base), env)).toMatchObject({
      schema: 'app',
      accounts: BUILT_IN_ACCOUNTS,
      memberships: BUILT_IN_MEMBERSHIPS,
      mapped: false,
      createTables: true,
    });
  });

  it("reads a mapping onto the application's own tables", () => {
    expect(readSqlSettings(connection(mapped), env)).toMatchObject({
      accounts: { table: 'app_users', keyColumn: 'user_name', columns: { displayName: 'full_name', email: 'mail' } },
      memberships: { table: 'user_roles', accountColumn: 'user_name', groupColumn: 'role_name' },
      mapped: true,
      createTables: false,
    });
  });

  it('refuses identifiers that could carry SQL, naming the setting and the rule', () => {
    const message = problemsOf({
      ...mapped,
      accounts: { table: 'users; DROP TABLE x', keyColumn: 'id"', columns: { email: 'mail--' } },
      memberships: { table: 'roles', accountColumn: 'a b', groupColumn: '' },
    });
    expect(message).toContain('settings.accounts.table must be a name matching [A-Za-z_][A-Za-z0-9_]*');
    expect(message).toContain('settings.accounts.keyColumn must be a name');
    expect(message).toContain('settings.accounts.columns.email must be a name');
    expect(message).toContain('settings.memberships.accountColumn must be a name');
    expect(message).toContain('settings.memberships.groupColumn must be a name');
  });

  it('refuses unknown keys at every level, listing the known ones', () => {
    const message = problemsOf({
      ...mapped,
      tables: 'x',
      accounts: { ...mapped.accounts, primaryKey: 'id' },
      memberships: { ...mapped.memberships, cascade: true },
    });
    expect(message).toContain('settings.tables is not a setting of the sql connector');
    expect(message).toContain(
      'settings.accounts.primaryKey is not a setting of accounts (known: table, keyColumn, columns, attributesColumn, updatedAtColumn)',
    );
    expect(message).toContain('settings.memberships.cascade is not a setting of memberships');
  });

  it('refuses a column written by two things, one table for both, and a createTables that is not a boolean', () => {
    const message = problemsOf({
      ...base,
      createTables: 'yes',
      accounts: { table: 't', keyColumn: 'id', columns: { login: 'id', a: 'x', b: 'x' }, attributesColumn: 'x' },
      memberships: { table: 't', accountColumn: 'u', groupColumn: 'u' },
    });
    expect(message).toContain('settings.createTables must be true or false');
    expect(message).toContain('settings.accounts.columns.login uses column id, already used by settings.accounts.keyColumn');
    expect(message).toContain('settings.accounts.columns.b uses column x, already used by settings.accounts.columns.a');
    expect(message).toContain('settings.accounts.attributesColumn uses column x');
    expect(message).toContain('settings.memberships.groupColumn uses column u');
    expect(message).toContain('settings.accounts.table and settings.memberships.table must be different tables');
  });

  it('refuses mappings that are not mappings', () => {
    const message = problemsOf({ ...base, accounts: 'users', memberships: ['roles'] });
    expect(message).toContain('settings.accounts must be a mapping with table, keyColumn and columns');
    expect(message).toContain('settings.memberships must be a mapping with table, accountColumn and groupColumn');
  });
});

describe('SqlStatements', () => {
  const settings = readSqlSettings(connection(mapped), env);
  const sql = new SqlStatements('app', settings.accounts, settings.memberships);

  it('binds every value and quotes every identifier', () => {
    expect(sql.insertAccount('jdoe', { displayName: 'Jane', email: null })).toEqual({
      text: 'INSERT INTO "app"."app_users" ("user_name", "full_name", "mail") VALUES ($1, $2, $3)',
      values: ['jdoe', 'Jane', null],
    });
    expect(sql.updateAccount('jdoe', { email: 'j@x' })).toEqual({
      text: 'UPDATE "app"."app_users" SET "mail" = $2 WHERE "user_name" = $1 AND ("mail" IS DISTINCT FROM $2)',
      values: ['jdoe', 'j@x'],
    });
    expect(sql.updateAccount('jdoe', {})).toBeUndefined();
  });

  it('lists attributes without a column when there is no attributes column', () => {
    expect(sql.unmappedAttributes({ displayName: 'x', shoeSize: 42 })).toEqual(['shoeSize']);
    const builtIn = new SqlStatements('app', BUILT_IN_ACCOUNTS, BUILT_IN_MEMBERSHIPS);
    expect(builtIn.unmappedAttributes({ shoeSize: 42 })).toEqual([]);
  });

  it('merges the rest into the jsonb column and stamps the update time, only when something differs', () => {
    const builtIn = new SqlStatements('app', BUILT_IN_ACCOUNTS, BUILT_IN_MEMBERSHIPS);
    const update = builtIn.updateAccount('jdoe', { level: 3 });
    expect(update?.text).toBe(
      `UPDATE "app"."accounts" SET "attributes" = COALESCE("attributes", '{}'::jsonb) || $2::jsonb, "updated_at" = now() ` +
        `WHERE "account_key" = $1 AND ("attributes" IS DISTINCT FROM COALESCE("attributes", '{}'::jsonb) || $2::jsonb)`,
    );
    expect(update?.values).toEqual(['jdoe', '{"level":3}']);
  });

  it('sends lists and objects as JSON text, everything else as it is', () => {
    expect(sqlValue(['a', 'b'])).toBe('["a","b"]');
    expect(sqlValue({ a: 1 })).toBe('{"a":1}');
    expect(sqlValue(3)).toBe(3);
    expect(sqlValue(undefined)).toBeNull();
  });
});

import type { RoleModelConnection } from '@prov/role-model';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { Client } from 'pg';
import { orderBuilder } from '../testing/order-builder';
import { PermanentConnectorError } from '../errors';
import { findNonConforming, isOrderObserved } from '../observation';
import { SqlConnector } from './sql-connector';

// An application that owns its tables, with its own names and column types, provisioned in place
// (settings.accounts / settings.memberships), against a real PostgreSQL.

const connection: RoleModelConnection = {
  id: 'crm',
  name: 'CRM',
  connector: 'sql',
  fulfillment: 'automatic',
  settings: {
    connectionStringEnv: 'CRM_DATABASE_URL',
    schema: 'crm',
    createTables: false,
    accounts: {
      table: 'app_users',
      keyColumn: 'user_name',
      columns: {
        displayName: 'full_name',
        email: 'mail_address',
        level: 'access_level',
        active: 'is_active',
      },
      updatedAtColumn: 'modified_at',
    },
    memberships: { table: 'user_roles', accountColumn: 'user_name', groupColumn: 'role_name' },
  },
};

const order = orderBuilder('crm', 'crm_user');

describe('SqlConnector on tables the application owns', () => {
  let db: TestDatabase;
  let connector: SqlConnector;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase('crm');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // Deliberately no unique constraint on memberships and no foreign key: the connector must
    // stay idempotent without them. An integer and a boolean column test the type conversions.
    await sql.query(`CREATE SCHEMA crm;
      CREATE TABLE crm.app_users (id serial PRIMARY KEY, user_name text UNIQUE NOT NULL, full_name text,
        mail_address text, access_level integer, is_active boolean, modified_at timestamptz,
        created_by text NOT NULL DEFAULT 'crm-ui');
      CREATE TABLE crm.user_roles (user_name text NOT NULL, role_name text NOT NULL, granted_at timestamptz DEFAULT now());`);
    connector = new SqlConnector(connection, { CRM_DATABASE_URL: db.url });
  });

  afterAll(async () => {
    await connector?.close();
    await sql?.end();
    await db?.drop();
  });

  const user = async (key: string) =>
    (await sql.query('SELECT * FROM crm.app_users WHERE user_name = $1', [key])).rows as Array<
      Record<string, unknown>
    >;
  const roles = async (key: string) =>
    (await sql.query('SELECT role_name FROM crm.user_roles WHERE user_name = $1 ORDER BY 1', [key])).rows.map(
      (r) => r.role_name as string,
    );

  it('passes its connection test', async () => {
    await expect(connector.test()).resolves.toEqual({
      ok: true,
      message: 'connected to PostgreSQL (schema crm)',
    });
  });

  it('writes an Added order into the mapped columns, converting types, and a redelivery writes nothing', async () => {
    const added = order('Added', 'jdoe', 'sales', {
      displayName: 'Jane Doe',
      email: 'jane@x.test',
      level: 3,
      active: true,
    });
    await connector.apply(added);
    const [first] = await user('jdoe');
    expect(first).toMatchObject({
      full_name: 'Jane Doe',
      mail_address: 'jane@x.test',
      access_level: 3,
      is_active: true,
      created_by: 'crm-ui',
    });
    expect(first.modified_at).toBeInstanceOf(Date);

    await connector.apply({ ...added, attempt: 2 });
    await connector.apply({ ...added, attempt: 3 });
    const again = await user('jdoe');
    expect(again).toHaveLength(1);
    expect(again[0].modified_at).toEqual(first.modified_at); // nothing rewritten
    expect(await roles('jdoe')).toEqual(['sales']); // no duplicate despite no unique constraint
  });

  it('reads accounts back under the order attribute names, so executed orders verify', async () => {
    const modified = order('Modified', 'jdoe', 'support', {
      displayName: 'Jane Smith',
      level: 4,
      email: null,
    });
    await connector.apply(modified);
    const all = await connector.readAll();
    expect(all.accounts).toEqual([
      {
        accountKey: 'jdoe',
        attributes: { displayName: 'Jane Smith', email: null, level: '4', active: 'true' },
      },
    ]);
    expect(all.memberships).toEqual([
      { accountKey: 'jdoe', group: 'sales' },
      { accountKey: 'jdoe', group: 'support' },
    ]);
    expect(isOrderObserved(modified, all)).toBe(true);
    expect(isOrderObserved(order('Added', 'jdoe', 'admins', { displayName: 'Jane Smith' }), all)).toBe(false);
  });

  it('serialises concurrent orders of one account: no membership lost, none duplicated', async () => {
    await Promise.all([
      connector.apply(order('Added', 'amy', 'a', { displayName: 'Amy' })),
      connector.apply(order('Added', 'amy', 'b', { displayName: 'Amy' })),
      connector.apply(order('Added', 'amy', 'a', { displayName: 'Amy' })),
    ]);
    expect(await user('amy')).toHaveLength(1);
    expect(await roles('amy')).toEqual(['a', 'b']);
  });

  it('on Deleted removes the membership, and the account with its last one; gone is fine', async () => {
    const revokeSales = order('Deleted', 'jdoe', 'sales');
    await connector.apply(revokeSales);
    expect(await roles('jdoe')).toEqual(['support']);
    expect(isOrderObserved(revokeSales, await connector.readAll())).toBe(true);
    const revokeSupport = order('Deleted', 'jdoe', 'support');
    await connector.apply(revokeSupport);
    await connector.apply(revokeSupport);
    expect(await user('jdoe')).toHaveLength(0);
    expect(isOrderObserved(revokeSupport, await connector.readAll())).toBe(true);
  });

  it('renames the account row and its role rows on a login change, keeping the row (id) and its other columns', async () => {
    await connector.apply(order('Added', 'rmove', 'sales', { displayName: 'R Move', level: 2 }));
    await connector.apply(order('Added', 'rmove', 'support', { displayName: 'R Move', level: 2 }));
    const [before] = await user('rmove');
    const rename = order('Modified', 'rmove2', 'sales', { level: 3 });
    rename.changes.previousAccountKey = 'rmove';
    await connector.apply(rename);
    await connector.apply({ ...rename, attempt: 2 });
    expect(await user('rmove')).toEqual([]);
    expect(await roles('rmove')).toEqual([]);
    expect(await user('rmove2')).toEqual([
      expect.objectContaining({ id: before.id, full_name: 'R Move', access_level: 3, created_by: 'crm-ui' }),
    ]);
    expect(await roles('rmove2')).toEqual(['sales', 'support']);
    await connector.apply(order('Deleted', 'rmove2', 'sales'));
    await connector.apply(order('Deleted', 'rmove2', 'support'));
  });

  it('reports rows added by hand as non-conforming', async () => {
    await sql.query(`INSERT INTO crm.app_users (user_name, full_name) VALUES ('intruder', 'By Hand')`);
    await sql.query(`INSERT INTO crm.user_roles (user_name, role_name) VALUES ('intruder', 'admins')`);
    const all = await connector.readAll();
    const drift = findNonConforming(all, [
      { accountKey: 'amy', group: 'a' },
      { accountKey: 'amy', group: 'b' },
    ]);
    expect(drift.accounts.map((a) => a.accountKey)).toEqual(['intruder']);
    expect(drift.memberships).toEqual([{ accountKey: 'intruder', group: 'admins' }]);
  });

  it('refuses an attribute without a column, and a value the column type rejects, with PostgreSQL’s message', async () => {
    await expect(connector.apply(order('Added', 'bob', undefined, { shoeSize: 42 }))).rejects.toMatchObject({
      code: 'INVALID_ORDER',
      message: expect.stringContaining('attribute shoeSize has no column in settings.accounts.columns'),
    });
    const error = await connector
      .apply(order('Added', 'bob', undefined, { level: 'high' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect((error as Error).message).toMatch(/invalid input syntax for type integer: "high"/);
    expect(await user('bob')).toHaveLength(0);
  });

  it('names a missing table or column instead of creating anything when createTables is false', async () => {
    const env = { CRM_DATABASE_URL: db.url };
    const settings = connection.settings as Record<string, Record<string, unknown>>;
    const missingTable = new SqlConnector(
      {
        ...connection,
        settings: { ...settings, memberships: { ...settings.memberships, table: 'roles_v2' } },
      },
      env,
    );
    const missingColumn = new SqlConnector(
      {
        ...connection,
        settings: { ...settings, accounts: { ...settings.accounts, columns: { email: 'email' } } },
      },
      env,
    );
    try {
      await expect(missingTable.readAll()).rejects.toThrow(
        `sql connection 'crm': table "crm"."roles_v2" does not exist (settings.createTables is false)`,
      );
      expect((await missingTable.test()).message).toBe(
        'connected to PostgreSQL, but table "crm"."roles_v2" does not exist',
      );
      await expect(
        missingColumn.apply(order('Added', 'carl', undefined, { email: 'c@x' })),
      ).rejects.toMatchObject({
        code: 'CONFIGURATION',
        message: expect.stringContaining('table crm.app_users has no column email'),
      });
      const tables = await sql.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'crm'`,
      );
      expect(tables.rows[0].n).toBe(2);
    } finally {
      await Promise.all([missingTable.close(), missingColumn.close()]);
    }
  });

  it('creates mapped tables when createTables is true, with a jsonb column for the other attributes', async () => {
    const other = await createTestDatabase('crm');
    const created = new SqlConnector(
      {
        ...connection,
        settings: {
          connectionStringEnv: 'CRM_DATABASE_URL',
          schema: 'fresh',
          accounts: {
            table: 'people',
            keyColumn: 'login',
            columns: { displayName: 'name' },
            attributesColumn: 'extra',
          },
          memberships: { table: 'people_groups', accountColumn: 'login', groupColumn: 'grp' },
        },
      },
      { CRM_DATABASE_URL: other.url },
    );
    try {
      const added = order('Added', 'zed', 'ops', { displayName: 'Zed', shoeSize: 42 });
      await created.apply(added);
      await created.apply(added);
      const all = await created.readAll();
      expect(all.accounts).toEqual([{ accountKey: 'zed', attributes: { displayName: 'Zed', shoeSize: 42 } }]);
      expect(all.memberships).toEqual([{ accountKey: 'zed', group: 'ops' }]);
      expect(isOrderObserved(added, all)).toBe(true);
    } finally {
      await created.close();
      await other.drop();
    }
  });
});

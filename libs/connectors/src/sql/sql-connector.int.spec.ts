import type { RoleModelConnection } from '@prov/role-model';
import { createTestDatabase, freePort, type TestDatabase } from '@prov/testing';
import { Client } from 'pg';
import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { isOrderObserved } from '../observation';
import { SqlConnector } from './sql-connector';
import { orderBuilder } from '../testing/order-builder';

// Runs against a real PostgreSQL (started by the Jest global setup), in a fresh database.

const connection: RoleModelConnection = {
  id: 'hr_app',
  name: 'HR app',
  connector: 'sql',
  fulfillment: 'automatic',
  settings: { connectionStringEnv: 'HR_APP_DATABASE_URL', schema: 'hr_app' },
};

const order = orderBuilder('hr_app', 'hr_app_account');

describe('SqlConnector on PostgreSQL', () => {
  let db: TestDatabase;
  let connector: SqlConnector;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase('conn');
    connector = new SqlConnector(connection, { HR_APP_DATABASE_URL: db.url });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await connector?.close();
    await sql?.end();
    await db?.drop();
  });

  async function rows(
    table: 'accounts' | 'group_memberships',
    key: string,
  ): Promise<Array<Record<string, unknown>>> {
    return (await sql.query(`SELECT * FROM hr_app.${table} WHERE account_key = $1 ORDER BY 1, 2`, [key]))
      .rows;
  }

  it('creates its schema and tables when missing', async () => {
    await expect(connector.readAll()).resolves.toEqual({ accounts: [], memberships: [] });
    const tables = await sql.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'hr_app' ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['accounts', 'group_memberships']);
  });

  it('applies an Added order twice as once: one account, one membership, no failure', async () => {
    const added = order('Added', 'jdoe', 'readers', { displayName: 'Jane Doe', level: 3 });
    await connector.apply(added);
    const [first] = await rows('accounts', 'jdoe');
    await connector.apply({ ...added, attempt: 2 });
    const accounts = await rows('accounts', 'jdoe');
    expect(accounts).toHaveLength(1);
    expect(accounts[0].attributes).toEqual({ displayName: 'Jane Doe', level: 3 });
    expect(accounts[0].updated_at).toEqual(first.updated_at); // the redelivery wrote nothing
    expect(await rows('group_memberships', 'jdoe')).toEqual([{ account_key: 'jdoe', group_name: 'readers' }]);
    expect(isOrderObserved(added, await connector.readAll())).toBe(true);
  });

  it('adds a second group to an existing account', async () => {
    await connector.apply(order('Added', 'jdoe', 'admins', { displayName: 'Jane Doe' }));
    expect((await rows('group_memberships', 'jdoe')).map((r) => r.group_name)).toEqual(['admins', 'readers']);
  });

  it('updates attributes on Modified, merging them into what is there', async () => {
    const modified = order('Modified', 'jdoe', undefined, { displayName: 'Jane Smith', department: null });
    await connector.apply(modified);
    const [account] = await rows('accounts', 'jdoe');
    expect(account.attributes).toEqual({ displayName: 'Jane Smith', level: 3, department: null });
    expect(isOrderObserved(modified, await connector.readAll())).toBe(true);
  });

  it('does not take over a row inserted by hand unless the connection adopts existing accounts', async () => {
    await sql.query(
      `INSERT INTO hr_app.accounts (account_key, attributes) VALUES ('hand', '{"displayName": "By Hand"}')`,
    );
    const added = order('Added', 'hand', 'readers', { displayName: 'Hand Made', level: 2 });
    const refused = await connector.apply(added).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused).toBeInstanceOf(PermanentConnectorError);
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_OURS' });
    expect(refused?.message).toContain(
      "account 'hand' already exists on connection 'hr_app' and was not created by the engine (displayName, level differ",
    );
    expect((await rows('accounts', 'hand'))[0].attributes).toEqual({ displayName: 'By Hand' });
    expect(await rows('group_memberships', 'hand')).toEqual([]);

    const adopting = new SqlConnector(
      { ...connection, adoptExisting: true },
      { HR_APP_DATABASE_URL: db.url },
    );
    try {
      await adopting.apply(added);
    } finally {
      await adopting.close();
    }
    expect((await rows('accounts', 'hand'))[0].attributes).toEqual({ displayName: 'Hand Made', level: 2 });
    // Showing what the order writes, the account is the engine's now: a redelivery converges.
    await connector.apply({ ...added, attempt: 2 });
    await connector.apply(order('Deleted', 'hand', 'readers'));
  });

  it('creates the account on Modified when it is missing', async () => {
    await connector.apply(order('Modified', 'late', 'readers', { displayName: 'Late Comer' }));
    expect(await rows('accounts', 'late')).toHaveLength(1);
    expect(await rows('group_memberships', 'late')).toHaveLength(1);
  });

  it('on Deleted removes the membership, keeps an account that has others, and deletes it with the last one', async () => {
    const revokeAdmins = order('Deleted', 'jdoe', 'admins');
    await connector.apply(revokeAdmins);
    expect(await rows('accounts', 'jdoe')).toHaveLength(1);
    expect(isOrderObserved(revokeAdmins, await connector.readAll())).toBe(true);

    const revokeReaders = order('Deleted', 'jdoe', 'readers');
    await connector.apply(revokeReaders);
    expect(await rows('accounts', 'jdoe')).toHaveLength(0);
    await connector.apply(revokeReaders); // already gone: still a success
    await connector.apply(order('Deleted', 'never-existed', 'readers'));
  });

  it('deletes an account-only entitlement when the account has no membership left', async () => {
    await connector.apply(order('Added', 'solo', undefined, { displayName: 'Solo' }));
    const deleted = order('Deleted', 'solo');
    await connector.apply(deleted);
    await connector.apply(deleted);
    expect(await rows('accounts', 'solo')).toHaveLength(0);
    expect(isOrderObserved(deleted, await connector.readAll())).toBe(true);
  });

  it('reads every account and membership', async () => {
    await connector.apply(order('Added', 'amy', 'readers', { displayName: 'Amy' }));
    const all = await connector.readAll();
    expect(all.accounts.map((a) => a.accountKey)).toEqual(['amy', 'late']);
    expect(all.accounts[0].attributes).toEqual({ displayName: 'Amy' });
    expect(all.memberships).toEqual([
      { accountKey: 'amy', group: 'readers' },
      { accountKey: 'late', group: 'readers' },
    ]);
  });

  it('never loses a membership added while another one of the same account is deleted', async () => {
    for (let round = 0; round < 15; round++) {
      const key = `race${round}`;
      await connector.apply(order('Added', key, 'a'));
      await Promise.all([
        connector.apply(order('Deleted', key, 'a')),
        connector.apply(order('Added', key, 'b')),
      ]);
      expect((await rows('group_memberships', key)).map((r) => r.group_name)).toEqual(['b']);
    }
  });

  it('converges when two connectors of one connection create the schema and apply the same order at once', async () => {
    const other = await createTestDatabase('conn');
    const env = { HR_APP_DATABASE_URL: other.url };
    const twins = [new SqlConnector(connection, env), new SqlConnector(connection, env)];
    try {
      const added = order('Added', 'twin', 'readers', { displayName: 'Twin' });
      await Promise.all(twins.map((c) => c.apply(added)));
      const all = await twins[0].readAll();
      expect(all.accounts).toHaveLength(1);
      expect(all.memberships).toHaveLength(1);
    } finally {
      await Promise.all(twins.map((c) => c.close()));
      await other.drop();
    }
  });

  it("reports data the target rejects as a permanent error with PostgreSQL's message", async () => {
    const bad = order('Added', 'nul', 'readers', { displayName: 'bad \u0000 value' });
    const error = await connector.apply(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect((error as PermanentConnectorError).code).toMatch(/^22/);
    expect((error as Error).message).toMatch(/\\u0000|unicode|character/i);
    expect(await rows('accounts', 'nul')).toHaveLength(0); // nothing half-written
  });

  it('renames the account and its memberships in one transaction on a login change; redelivery converges', async () => {
    await connector.apply(order('Added', 'kmove', 'readers', { displayName: 'Kim' }));
    await connector.apply(order('Added', 'kmove', 'writers', { displayName: 'Kim' }));
    const rename = order('Modified', 'kmove2', 'readers', { displayName: 'Kim Moved' });
    rename.changes.previousAccountKey = 'kmove';
    await connector.apply(rename);
    await connector.apply({ ...rename, attempt: 2 });
    expect(await rows('accounts', 'kmove')).toEqual([]);
    expect(await rows('group_memberships', 'kmove')).toEqual([]);
    const [moved] = await rows('accounts', 'kmove2');
    expect(moved.attributes).toEqual({ displayName: 'Kim Moved' });
    expect((await rows('group_memberships', 'kmove2')).map((r) => r.group_name)).toEqual([
      'readers',
      'writers',
    ]);
    expect(isOrderObserved(rename, await connector.readAll())).toBe(true);

    // Onto another account's key: refused, naming both, and the transaction leaves everything as it was.
    await connector.apply(order('Added', 'taken', 'readers', { displayName: 'Taken' }));
    const clash = order('Modified', 'taken', 'readers', { displayName: 'Kim' });
    clash.changes.previousAccountKey = 'kmove2';
    const error = await connector.apply(clash).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect(error).toMatchObject({ code: 'RENAME_TARGET_EXISTS' });
    expect((error as Error).message).toContain("cannot rename account 'kmove2' to 'taken'");
    expect(await rows('group_memberships', 'kmove2')).toHaveLength(2);
    expect((await rows('accounts', 'taken'))[0].attributes).toEqual({ displayName: 'Taken' });
  });

  it('refuses an order of another connection', async () => {
    await expect(connector.apply({ ...order('Added', 'x'), connectionId: 'other' })).rejects.toThrow(
      PermanentConnectorError,
    );
  });

  it('passes its connection test', async () => {
    await expect(connector.test()).resolves.toEqual({
      ok: true,
      message: 'connected to PostgreSQL (schema hr_app)',
    });
  });

  describe('when the target cannot be reached', () => {
    let unreachable: SqlConnector;
    const password = 'hunter2-very-secret';

    beforeAll(async () => {
      const url = new URL(db.url);
      url.port = String(await freePort()); // nothing listens there
      url.username = 'app';
      url.password = password;
      unreachable = new SqlConnector(
        { ...connection, settings: { ...connection.settings, connectTimeoutMs: 2000 } },
        {
          HR_APP_DATABASE_URL: url.toString(),
        },
      );
    });

    afterAll(() => unreachable.close());

    it('fails its connection test with the reason and without the password', async () => {
      const result = await unreachable.test();
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/ECONNREFUSED/);
      expect(result.message).not.toContain(password);
    });

    it('rejects orders with a transient error', async () => {
      const error = await unreachable.apply(order('Added', 'jdoe', 'readers')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientConnectorError);
      expect((error as TransientConnectorError).kind).toBe('transient');
      expect((error as Error).message).not.toContain(password);
      await expect(unreachable.readAll()).rejects.toThrow(TransientConnectorError);
    });
  });
});

import type { Environment, RoleModelConnection } from '@prov/role-model';
import { Pool, type PoolClient } from 'pg';
import type { ConnectionTestResult, Connector, OrderToApply, SynchronizedResources } from '../connector';
import { PermanentConnectorError, scrubSecrets } from '../errors';
import { retryableOnce } from '../concurrency';
import { checkOrder } from '../order-check';
import { assertMayTakeOver } from '../ownership';
import { isTransientSqlError, toSqlConnectorError } from './sql-errors';
import { connectionSecrets, readSqlSettings, type SqlConnectorSettings } from './sql-settings';
import { SqlStatements, type Statement } from './sql-statements';
import { connectionSecretsEnvironment } from '@prov/config';

/**
 * Provisions an application whose accounts live in PostgreSQL tables. By default the connector
 * keeps its own tables:
 *
 *   <schema>.accounts(account_key text primary key, attributes jsonb, created_at, updated_at)
 *   <schema>.group_memberships(account_key → accounts on delete cascade, group_name, pk both)
 *
 * or, with `accounts` / `memberships` in the settings, the application's own tables and columns
 * (sql-mapping-settings.ts).
 *
 * Every order is applied in one transaction, idempotently, because JetStream may deliver it
 * again, and under a per-account advisory lock, so agents of one connection never interleave two
 * orders of the same account: Added/Modified insert the account or update only what differs,
 * and add the membership if missing; Deleted removes the membership, then the account once it has
 * no membership left; anything already in the wanted state is success.
 */
export class SqlConnector implements Connector {
  private readonly settings: SqlConnectorSettings;
  private readonly pool: Pool;
  private readonly secrets: string[];
  private readonly sql: SqlStatements;
  private closed = false;

  constructor(
    private readonly connection: RoleModelConnection,
    env: Environment = connectionSecretsEnvironment(),
  ) {
    this.settings = readSqlSettings(connection, env);
    this.secrets = connectionSecrets(this.settings.connectionString);
    this.sql = new SqlStatements(this.settings.schema, this.settings.accounts, this.settings.memberships);
    this.pool = new Pool({
      connectionString: this.settings.connectionString,
      max: this.settings.poolSize,
      connectionTimeoutMillis: this.settings.connectTimeoutMs,
      statement_timeout: this.settings.statementTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: `prov-connector-${connection.id}`,
    });
    // An idle connection dropped by the server must not crash the agent: the next query fails
    // (and is classified) or gets a fresh connection.
    this.pool.on('error', () => undefined);
    // The same for a checked-out connection between two statements (PostgreSQL restarted): pg
    // emits 'error' on the client, which without a listener ends the agent; the next statement
    // on it fails as transient and the client is destroyed.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  private scrub = (message: string): string => scrubSecrets(message, this.secrets);

  /** Prepares the tables once per connector; a failed attempt is retried by the next call. */
  private readonly ensureSchema = retryableOnce(() => this.prepareTables());

  private misconfigured(problem: string): PermanentConnectorError {
    return new PermanentConnectorError(`sql connection '${this.connection.id}': ${problem}`, {
      code: 'CONFIGURATION',
    });
  }

  /** Tables that do not exist yet, by their quoted names. */
  private async missingTables(): Promise<string[]> {
    const tables = [this.sql.accountsTable, this.sql.membershipsTable];
    const { rows } = await this.pool.query<{ found: Array<string | null> }>(
      'SELECT array[to_regclass($1)::text, to_regclass($2)::text] AS found',
      tables,
    );
    return tables.filter((_, i) => !rows[0]?.found[i]);
  }

  private async prepareTables(): Promise<void> {
    const missing = await this.missingTables();
    // When the tables exist, no DDL runs: the application's account may lack CREATE rights.
    if (missing.length > 0) {
      if (!this.settings.createTables)
        throw this.misconfigured(
          `table ${missing.join(' and ')} does not exist (settings.createTables is false)`,
        );
      await this.transaction(async (client) => {
        // Two agents of one connection starting together would otherwise race on CREATE.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `prov-sql-connector:${this.settings.schema}`,
        ]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.settings.schema}"`);
        await client.query(this.sql.createAccountsTable());
        await client.query(this.sql.createMembershipsTable());
      });
    }
    if (this.settings.mapped) await this.checkColumns();
  }

  /** A mapped column that does not exist fails here, naming it, rather than as every order's error. */
  private async checkColumns(): Promise<void> {
    const problems: string[] = [];
    for (const { table, columns } of this.sql.requiredColumns()) {
      const { rows } = await this.pool.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [this.settings.schema, table],
      );
      const present = new Set(rows.map((r) => r.column_name));
      const absent = columns.filter((c) => !present.has(c));
      if (absent.length > 0)
        problems.push(`table ${this.settings.schema}.${table} has no column ${absent.join(', ')}`);
    }
    if (problems.length > 0)
      throw this.misconfigured(`${problems.join('; ')} (see settings.accounts / settings.memberships)`);
  }

  private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      // A connection-level failure leaves the client unusable: it is destroyed, not pooled.
      broken = isTransientSqlError(error);
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Every attribute an Added or Modified order writes needs a column, or the attributes column. */
  private readonly unmappedAttributes = (
    attributes: Record<string, unknown>,
    order: OrderToApply,
  ): string[] => {
    if (order.changeType === 'Deleted') return [];
    const unmapped = this.sql.unmappedAttributes(attributes);
    return unmapped.length > 0
      ? [
          `attribute ${unmapped.join(', ')} has no column in settings.accounts.columns and there is no attributesColumn`,
        ]
      : [];
  };

  async apply(order: OrderToApply): Promise<void> {
    checkOrder(order, this.connection.id, { attributeProblems: this.unmappedAttributes });
    const { accountKey, attributes, group } = order.changes;
    try {
      await this.ensureSchema();
      await this.transaction(async (client) => {
        const run = (statement: Statement) => client.query(statement.text, statement.values);
        const previous = order.changeType === 'Modified' ? order.changes.previousAccountKey : undefined;
        // Both keys of a rename are locked, in one order for every agent, so that two renames never deadlock.
        for (const key of [...new Set([accountKey, previous ?? accountKey])].sort())
          await run(this.sql.lockAccount(key));
        if (previous !== undefined && previous !== accountKey) await this.rename(previous, accountKey, run);
        if (order.changeType === 'Deleted') {
          if (group !== undefined) await run(this.sql.deleteMembership(accountKey, group));
          await run(this.sql.deleteAccountWithoutMemberships(accountKey));
          return;
        }
        // Added and Modified converge to the same state.
        if ((await run(this.sql.accountExists(accountKey))).rowCount === 0) {
          await run(this.sql.insertAccount(accountKey, attributes));
        } else {
          if (order.changeType === 'Added') await this.checkTakeOver(order, run);
          const update = this.sql.updateAccount(accountKey, attributes);
          if (update) await run(update);
        }
        if (group !== undefined && (await run(this.sql.membershipExists(accountKey, group))).rowCount === 0) {
          await run(this.sql.insertMembership(accountKey, group));
        }
      });
    } catch (error) {
      throw toSqlConnectorError(error, this.scrub);
    }
  }

  /**
   * A login change: the account under `previous` takes the new key, memberships included. Nothing
   * to do when there is none under `previous` (renamed already by an earlier delivery, or never
   * written: the order then creates it). Refused when the new key is another account's.
   */
  private async rename(
    previous: string,
    accountKey: string,
    run: (statement: Statement) => Promise<{ rowCount: number | null }>,
  ) {
    if ((await run(this.sql.accountExists(previous))).rowCount === 0) return;
    if ((await run(this.sql.accountExists(accountKey))).rowCount !== 0) {
      throw new PermanentConnectorError(
        `cannot rename account '${previous}' to '${accountKey}' on connection '${this.connection.id}': an account '${accountKey}' exists already`,
        { code: 'RENAME_TARGET_EXISTS' },
      );
    }
    await run(this.sql.renameAccount(previous, accountKey));
  }

  /** The take-over rule (ownership.ts). A table keeps no mark of who inserted a row: the values tell. */
  private async checkTakeOver(
    order: OrderToApply,
    run: (statement: Statement) => Promise<{ rows: unknown[] }>,
  ) {
    const statement = this.sql.differingAttributes(order.changes.accountKey, order.changes.attributes);
    const [row] = (await run(statement)).rows as Array<Record<string, boolean>>;
    const differing = statement.names.filter((_, i) => row?.[`d${i}`] === true);
    assertMayTakeOver(order, { madeByEngine: false, differing }, this.connection.adoptExisting);
  }

  async readAll(): Promise<SynchronizedResources> {
    try {
      await this.ensureSchema();
      const { text, attributeOfAlias } = this.sql.readAccounts();
      const accounts = await this.pool.query<Record<string, unknown>>(text);
      const memberships = await this.pool.query<{ a: string; g: string }>(this.sql.readMemberships());
      return {
        accounts: accounts.rows.map((row) => {
          const bag = row.x !== null && typeof row.x === 'object' ? (row.x as Record<string, unknown>) : {};
          const attributes: Record<string, unknown> = { ...bag };
          for (const [alias, attribute] of attributeOfAlias) attributes[attribute] = row[alias];
          return { accountKey: row.k as string, attributes };
        }),
        memberships: memberships.rows.map((r) => ({ accountKey: r.a, group: r.g })),
      };
    } catch (error) {
      throw toSqlConnectorError(error, this.scrub);
    }
  }

  async test(): Promise<ConnectionTestResult> {
    const where = `schema ${this.settings.schema}`;
    try {
      await this.pool.query('SELECT 1');
      const missing = await this.missingTables();
      if (missing.length > 0 && !this.settings.createTables)
        return {
          ok: false,
          message: `connected to PostgreSQL, but table ${missing.join(' and ')} does not exist`,
        };
      if (missing.length > 0)
        return {
          ok: true,
          message: `connected to PostgreSQL (${where}; ${missing.join(' and ')} will be created on first use)`,
        };
      if (this.settings.mapped) await this.checkColumns();
      return { ok: true, message: `connected to PostgreSQL (${where})` };
    } catch (error) {
      return { ok: false, message: toSqlConnectorError(error, this.scrub).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

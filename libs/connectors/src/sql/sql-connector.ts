import type { Environment, RoleModelConnection } from '@prov/role-model';
import { Pool, type PoolClient } from 'pg';
import type { ConnectionTestResult, Connector, OrderToApply, SynchronizedResources } from '../connector';
import { PermanentConnectorError, scrubSecrets } from '../errors';
import { isTransientSqlError, toSqlConnectorError } from './sql-errors';
import { connectionSecrets, readSqlSettings, type SqlConnectorSettings } from './sql-settings';

/**
 * Provisions an application whose accounts live in PostgreSQL tables:
 *
 *   <schema>.accounts(account_key text primary key, attributes jsonb, created_at, updated_at)
 *   <schema>.group_memberships(account_key → accounts on delete cascade, group_name, pk both)
 *
 * Every order is applied in one transaction and idempotently, because JetStream may deliver it
 * again: Added/Modified upsert the account (attributes merged in, so values other tools keep
 * survive) and add the membership if missing; Deleted removes the membership, then the account
 * once it has no membership left; anything already in the wanted state is success.
 */
export class SqlConnector implements Connector {
  private readonly settings: SqlConnectorSettings;
  private readonly pool: Pool;
  private readonly secrets: string[];
  private readonly accounts: string;
  private readonly memberships: string;
  private schemaReady?: Promise<void>;
  private closed = false;

  constructor(
    private readonly connection: RoleModelConnection,
    env: Environment = process.env,
  ) {
    this.settings = readSqlSettings(connection, env);
    this.secrets = connectionSecrets(this.settings.connectionString);
    // The schema name matched [a-z_][a-z0-9_]* in readSqlSettings; quoting also keeps keywords safe.
    this.accounts = `"${this.settings.schema}".accounts`;
    this.memberships = `"${this.settings.schema}".group_memberships`;
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
  }

  private scrub = (message: string): string => scrubSecrets(message, this.secrets);

  /** Creates the schema and tables once per connector; a failed attempt is retried by the next call. */
  private ensureSchema(): Promise<void> {
    this.schemaReady ??= this.createSchema().catch((error: unknown) => {
      this.schemaReady = undefined;
      throw error;
    });
    return this.schemaReady;
  }

  private async createSchema(): Promise<void> {
    // When the tables exist, no DDL runs: the application's account may lack CREATE rights.
    const existing = await this.pool.query<{ accounts: string | null; memberships: string | null }>(
      'SELECT to_regclass($1) AS accounts, to_regclass($2) AS memberships',
      [this.accounts, this.memberships],
    );
    if (existing.rows[0]?.accounts && existing.rows[0]?.memberships) return;
    await this.transaction(async (client) => {
      // Two agents of one connection starting together would otherwise race on CREATE.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `prov-sql-connector:${this.settings.schema}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.settings.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.accounts} (
        account_key text PRIMARY KEY,
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.memberships} (
        account_key text NOT NULL REFERENCES ${this.accounts} (account_key) ON DELETE CASCADE,
        group_name text NOT NULL,
        PRIMARY KEY (account_key, group_name))`);
    });
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

  private checkOrder(order: OrderToApply): void {
    const problems: string[] = [];
    if (order.connectionId !== this.connection.id)
      problems.push(`it is for connection '${order.connectionId}'`);
    if (!['Added', 'Modified', 'Deleted'].includes(order.changeType))
      problems.push(`unknown changeType '${order.changeType}'`);
    const { accountKey, attributes, group } = order.changes ?? {};
    if (typeof accountKey !== 'string' || accountKey === '')
      problems.push('accountKey must be a non-empty text');
    if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes))
      problems.push('attributes must be an object');
    if (group !== undefined && (typeof group !== 'string' || group === ''))
      problems.push('group must be a non-empty text');
    if (problems.length > 0) {
      throw new PermanentConnectorError(
        `order ${order.orderId} cannot be applied by connection '${this.connection.id}': ${problems.join('; ')}`,
        { code: 'INVALID_ORDER' },
      );
    }
  }

  async apply(order: OrderToApply): Promise<void> {
    this.checkOrder(order);
    const { accountKey, attributes, group } = order.changes;
    try {
      await this.ensureSchema();
      await this.transaction(async (client) => {
        if (order.changeType === 'Deleted') {
          // Lock the account first: a concurrent Added for the same account then waits, and this
          // transaction sees its membership before deciding whether the account may go.
          const found = await client.query(
            `SELECT 1 FROM ${this.accounts} WHERE account_key = $1 FOR UPDATE`,
            [accountKey],
          );
          if (found.rowCount === 0) return; // already gone: memberships cannot outlive their account
          if (group !== undefined) {
            await client.query(`DELETE FROM ${this.memberships} WHERE account_key = $1 AND group_name = $2`, [
              accountKey,
              group,
            ]);
          }
          await client.query(
            `DELETE FROM ${this.accounts} a WHERE a.account_key = $1
               AND NOT EXISTS (SELECT 1 FROM ${this.memberships} m WHERE m.account_key = a.account_key)`,
            [accountKey],
          );
          return;
        }
        // Added and Modified converge to the same state; the WHERE skips writes (and a new
        // updated_at) when a redelivered order finds the values already there.
        await client.query(
          `INSERT INTO ${this.accounts} AS a (account_key, attributes) VALUES ($1, $2::jsonb)
           ON CONFLICT (account_key) DO UPDATE SET attributes = a.attributes || EXCLUDED.attributes, updated_at = now()
           WHERE a.attributes IS DISTINCT FROM a.attributes || EXCLUDED.attributes`,
          [accountKey, JSON.stringify(attributes)],
        );
        if (group !== undefined) {
          await client.query(
            `INSERT INTO ${this.memberships} (account_key, group_name) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
            [accountKey, group],
          );
        }
      });
    } catch (error) {
      throw toSqlConnectorError(error, this.scrub);
    }
  }

  async readAll(): Promise<SynchronizedResources> {
    try {
      await this.ensureSchema();
      const accounts = await this.pool.query<{
        account_key: string;
        attributes: Record<string, unknown> | null;
      }>(`SELECT account_key, attributes FROM ${this.accounts} ORDER BY account_key`);
      const memberships = await this.pool.query<{ account_key: string; group_name: string }>(
        `SELECT account_key, group_name FROM ${this.memberships} ORDER BY account_key, group_name`,
      );
      return {
        accounts: accounts.rows.map((r) => ({ accountKey: r.account_key, attributes: r.attributes ?? {} })),
        memberships: memberships.rows.map((r) => ({ accountKey: r.account_key, group: r.group_name })),
      };
    } catch (error) {
      throw toSqlConnectorError(error, this.scrub);
    }
  }

  async test(): Promise<ConnectionTestResult> {
    try {
      await this.pool.query('SELECT 1');
      return { ok: true, message: `connected to PostgreSQL (schema ${this.settings.schema})` };
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

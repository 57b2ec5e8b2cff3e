import type { Environment, RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import { secret, unknownKeys, wholeNumber } from '../settings/settings-rules';
import {
  BUILT_IN_ACCOUNTS,
  BUILT_IN_MEMBERSHIPS,
  readAccountsMapping,
  readMembershipsMapping,
  type SqlAccountsMapping,
  type SqlMembershipsMapping,
} from './sql-mapping-settings';

/**
 * Settings of a `sql` connection, read from the role model:
 *
 *   connectionStringEnv  name of the environment variable holding the PostgreSQL connection string
 *   schema               schema of the target tables ([a-z_][a-z0-9_]*)
 *   accounts             optional: the application's own accounts table (see sql-mapping-settings.ts);
 *                        default: the built-in <schema>.accounts(account_key, attributes jsonb)
 *   memberships          optional: the application's own membership table; default: the built-in
 *                        <schema>.group_memberships(account_key, group_name)
 *   createTables         optional, default true: create the schema and missing tables on first use;
 *                        false for an application that owns its tables (a missing one is then an
 *                        error naming it instead of a CREATE the application's account may not run)
 *   connectTimeoutMs     optional, default 5000: how long to wait for a connection
 *   statementTimeoutMs   optional, default 30000: the server cancels a statement running longer
 *   poolSize             optional, default 4: connections kept to the target
 *
 * Schema, table and column names end up inside SQL text (identifiers cannot be bound as
 * parameters), so they are held to a strict pattern here rather than escaped later.
 */

export const SQL_SCHEMA_PATTERN = /^[a-z_][a-z0-9_]*$/;
const MAX_IDENTIFIER_LENGTH = 63; // PostgreSQL truncates longer names silently.

export type { SqlAccountsMapping, SqlMembershipsMapping } from './sql-mapping-settings';

export interface SqlConnectorSettings {
  connectionString: string;
  schema: string;
  accounts: SqlAccountsMapping;
  memberships: SqlMembershipsMapping;
  /** True when the role model maps at least one table onto the application's own. */
  mapped: boolean;
  createTables: boolean;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  poolSize: number;
}

const KNOWN = [
  'connectionStringEnv',
  'schema',
  'accounts',
  'memberships',
  'createTables',
  'connectTimeoutMs',
  'statementTimeoutMs',
  'poolSize',
];

/** Validates the settings and reads the connection string from the environment; lists every problem at once. */
export function readSqlSettings(connection: RoleModelConnection, env: Environment): SqlConnectorSettings {
  const settings = connection.settings as Record<string, unknown>;
  const problems: string[] = [];
  unknownKeys(settings, KNOWN, '', 'a setting of the sql connector', problems);
  const schema = settings.schema;
  if (
    typeof schema !== 'string' ||
    !SQL_SCHEMA_PATTERN.test(schema) ||
    schema.length > MAX_IDENTIFIER_LENGTH
  ) {
    problems.push(
      `settings.schema must be a schema name matching [a-z_][a-z0-9_]* (at most ${MAX_IDENTIFIER_LENGTH} characters)`,
    );
  }
  const createTables = settings.createTables ?? true;
  if (typeof createTables !== 'boolean') problems.push('settings.createTables must be true or false');
  const accounts =
    settings.accounts === undefined || settings.accounts === null
      ? BUILT_IN_ACCOUNTS
      : readAccountsMapping(settings.accounts, problems);
  const memberships =
    settings.memberships === undefined || settings.memberships === null
      ? BUILT_IN_MEMBERSHIPS
      : readMembershipsMapping(settings.memberships, problems);
  if (accounts.table === memberships.table)
    problems.push('settings.accounts.table and settings.memberships.table must be different tables');
  const connectTimeoutMs = wholeNumber(settings, 'connectTimeoutMs', 5000, problems);
  const statementTimeoutMs = wholeNumber(settings, 'statementTimeoutMs', 30_000, problems);
  const poolSize = wholeNumber(settings, 'poolSize', 4, problems);
  const connectionString = secret(connection, 'connectionStringEnv', env, problems);
  if (problems.length > 0) {
    throw new ConnectorConfigurationError(
      `sql connection '${connection.id}' is misconfigured: ${problems.join('; ')}`,
      {
        code: 'CONFIGURATION',
      },
    );
  }
  return {
    connectionString,
    schema: schema as string,
    accounts,
    memberships,
    mapped: accounts !== BUILT_IN_ACCOUNTS || memberships !== BUILT_IN_MEMBERSHIPS,
    createTables: createTables as boolean,
    connectTimeoutMs,
    statementTimeoutMs,
    poolSize,
  };
}

/** The values to mask in messages: the connection string and the password inside it. */
export function connectionSecrets(connectionString: string): string[] {
  const secrets = [connectionString];
  try {
    const password = new URL(connectionString).password;
    if (password) secrets.push(password, decodeURIComponent(password));
  } catch {
    // libpq key/value form ("host=... password=..."): scrubSecrets masks password= itself.
  }
  return secrets;
}

import { connectorSettings, flag, renamed, secret, text, wholeNumber } from '../settings/settings-schema';
import {
  accountsMapping,
  BUILT_IN_ACCOUNTS,
  BUILT_IN_MEMBERSHIPS,
  MAX_IDENTIFIER_LENGTH,
  membershipsMapping,
} from './sql-mapping-settings';

export const SQL_SCHEMA_PATTERN = /^[a-z_][a-z0-9_]*$/;

export type { SqlAccountsMapping, SqlMembershipsMapping } from './sql-mapping-settings';

/** What the connector works with: the settings read, defaults applied, the connection string resolved. */
export type SqlConnectorSettings = ReturnType<typeof readSqlSettings>;

/**
 * The schema of a `sql` connection's settings in the role model. Reading validates them and
 * takes the connection string from the environment, listing every problem at once. Schema, table
 * and column names end up inside SQL text (identifiers cannot be bound as parameters), so they
 * are held to a strict pattern here rather than escaped later.
 */
export const readSqlSettings = connectorSettings(
  'sql',
  {
    // The PostgreSQL connection string.
    connectionStringEnv: renamed('connectionString', secret()),
    // The schema of the target tables.
    schema: text(
      `must be a schema name matching [a-z_][a-z0-9_]* (at most ${MAX_IDENTIFIER_LENGTH} characters)`,
      { test: (name) => SQL_SCHEMA_PATTERN.test(name) && name.length <= MAX_IDENTIFIER_LENGTH },
    ),
    // The application's own tables (sql-mapping-settings.ts); by default the built-in
    // <schema>.accounts(account_key, attributes jsonb) and <schema>.group_memberships(account_key, group_name).
    accounts: accountsMapping,
    memberships: membershipsMapping,
    // Create the schema and missing tables on first use; false for an application that owns its
    // tables (a missing one is then an error naming it, not a CREATE its account may not run).
    createTables: flag(true),
    // How long to wait for a connection.
    connectTimeoutMs: wholeNumber(5000),
    // The server cancels a statement running longer.
    statementTimeoutMs: wholeNumber(30_000),
    // Connections kept to the target.
    poolSize: wholeNumber(4),
  },
  ({ accounts, memberships, ...settings }, at) => {
    if (accounts.table !== '' && accounts.table === memberships.table)
      at.say('settings.accounts.table and settings.memberships.table must be different tables');
    const mapped = accounts !== BUILT_IN_ACCOUNTS || memberships !== BUILT_IN_MEMBERSHIPS;
    return { ...settings, accounts, memberships, mapped };
  },
);

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

/**
 * How a `sql` connection maps orders onto tables. By default the connector keeps its own two
 * tables; an application that already has an accounts table and a membership table is
 * provisioned in place by naming them and their columns in the role model:
 *
 *   accounts:
 *     table: app_users                 # in settings.schema
 *     keyColumn: user_name             # holds the order's accountKey; unique (primary key or unique index)
 *     columns:                         # order attribute -> column
 *       displayName: full_name
 *       email: mail_address
 *     attributesColumn: extra          # optional jsonb column for attributes without a column;
 *                                      # without one, an order carrying such an attribute is refused
 *     updatedAtColumn: modified_at     # optional timestamptz column set to now() on every real change
 *   memberships:
 *     table: app_user_roles
 *     accountColumn: user_name         # the account's key
 *     groupColumn: role_name           # the entitlement's group
 *
 * Names are used exactly as written, double-quoted, so write them as PostgreSQL stores them
 * (lowercase unless the table was created with quoted names). They are checked against a strict
 * pattern here, because identifiers cannot be bound as parameters: nothing else reaches SQL text.
 */

import { isMapping, unknownKeys } from '../settings/settings-rules';

export const SQL_IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_IDENTIFIER_LENGTH = 63;

export interface SqlAccountsMapping {
  table: string;
  keyColumn: string;
  /** Order attribute name -> column name. */
  columns: Readonly<Record<string, string>>;
  attributesColumn?: string;
  updatedAtColumn?: string;
}

export interface SqlMembershipsMapping {
  table: string;
  accountColumn: string;
  groupColumn: string;
}

/** The connector's own tables (what a `sql` connection without mapping has always used). */
export const BUILT_IN_ACCOUNTS: SqlAccountsMapping = Object.freeze({
  table: 'accounts',
  keyColumn: 'account_key',
  columns: Object.freeze({}),
  attributesColumn: 'attributes',
  updatedAtColumn: 'updated_at',
});

export const BUILT_IN_MEMBERSHIPS: SqlMembershipsMapping = Object.freeze({
  table: 'group_memberships',
  accountColumn: 'account_key',
  groupColumn: 'group_name',
});

const ACCOUNT_KEYS = ['table', 'keyColumn', 'columns', 'attributesColumn', 'updatedAtColumn'];
const MEMBERSHIP_KEYS = ['table', 'accountColumn', 'groupColumn'];
const IDENTIFIER_RULE = `must be a name matching [A-Za-z_][A-Za-z0-9_]* (at most ${MAX_IDENTIFIER_LENGTH} characters)`;

export function isSqlIdentifier(value: unknown): value is string {
  return (
    typeof value === 'string' && SQL_IDENTIFIER_PATTERN.test(value) && value.length <= MAX_IDENTIFIER_LENGTH
  );
}

function identifier(
  value: Record<string, unknown>,
  key: string,
  path: string,
  problems: string[],
  optional = false,
): string | undefined {
  const name = value[key];
  if (optional && (name === undefined || name === null)) return undefined;
  if (!isSqlIdentifier(name)) {
    problems.push(`settings.${path}.${key} ${IDENTIFIER_RULE}`);
    return undefined;
  }
  return name;
}

/** Each column may be written by one thing only: the key, one attribute, the jsonb bag or the timestamp. */
function checkDistinctColumns(named: Array<[string, string | undefined]>, problems: string[]): void {
  const seen = new Map<string, string>();
  for (const [setting, column] of named) {
    if (column === undefined) continue;
    const other = seen.get(column);
    if (other !== undefined)
      problems.push(`settings.${setting} uses column ${column}, already used by settings.${other}`);
    else seen.set(column, setting);
  }
}

export function readAccountsMapping(value: unknown, problems: string[]): SqlAccountsMapping {
  if (!isMapping(value)) {
    problems.push('settings.accounts must be a mapping with table, keyColumn and columns');
    return BUILT_IN_ACCOUNTS;
  }
  unknownKeys(value, ACCOUNT_KEYS, 'accounts.', 'a setting of accounts', problems);
  const table = identifier(value, 'table', 'accounts', problems);
  const keyColumn = identifier(value, 'keyColumn', 'accounts', problems);
  const attributesColumn = identifier(value, 'attributesColumn', 'accounts', problems, true);
  const updatedAtColumn = identifier(value, 'updatedAtColumn', 'accounts', problems, true);
  const columns: Record<string, string> = {};
  const raw = value.columns ?? {};
  if (!isMapping(raw)) {
    problems.push('settings.accounts.columns must be a mapping of order attribute names to column names');
  } else {
    for (const [attribute, column] of Object.entries(raw)) {
      if (attribute.trim() === '') problems.push('settings.accounts.columns has an empty attribute name');
      else if (!isSqlIdentifier(column))
        problems.push(`settings.accounts.columns.${attribute} ${IDENTIFIER_RULE}`);
      else columns[attribute] = column;
    }
  }
  checkDistinctColumns(
    [
      ['accounts.keyColumn', keyColumn],
      ...Object.entries(columns).map(([a, c]): [string, string] => [`accounts.columns.${a}`, c]),
      ['accounts.attributesColumn', attributesColumn],
      ['accounts.updatedAtColumn', updatedAtColumn],
    ],
    problems,
  );
  return {
    table: table ?? '',
    keyColumn: keyColumn ?? '',
    columns: Object.freeze(columns),
    ...(attributesColumn !== undefined ? { attributesColumn } : {}),
    ...(updatedAtColumn !== undefined ? { updatedAtColumn } : {}),
  };
}

export function readMembershipsMapping(value: unknown, problems: string[]): SqlMembershipsMapping {
  if (!isMapping(value)) {
    problems.push('settings.memberships must be a mapping with table, accountColumn and groupColumn');
    return BUILT_IN_MEMBERSHIPS;
  }
  unknownKeys(value, MEMBERSHIP_KEYS, 'memberships.', 'a setting of memberships', problems);
  const table = identifier(value, 'table', 'memberships', problems);
  const accountColumn = identifier(value, 'accountColumn', 'memberships', problems);
  const groupColumn = identifier(value, 'groupColumn', 'memberships', problems);
  checkDistinctColumns(
    [
      ['memberships.accountColumn', accountColumn],
      ['memberships.groupColumn', groupColumn],
    ],
    problems,
  );
  return { table: table ?? '', accountColumn: accountColumn ?? '', groupColumn: groupColumn ?? '' };
}

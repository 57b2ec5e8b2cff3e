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

import { type At, mapping, optional, record, text } from '../settings/settings-schema';

export const SQL_IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL truncates longer names silently. */
export const MAX_IDENTIFIER_LENGTH = 63;

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

const IDENTIFIER_RULE = `must be a name matching [A-Za-z_][A-Za-z0-9_]* (at most ${MAX_IDENTIFIER_LENGTH} characters)`;

export function isSqlIdentifier(value: unknown): value is string {
  return (
    typeof value === 'string' && SQL_IDENTIFIER_PATTERN.test(value) && value.length <= MAX_IDENTIFIER_LENGTH
  );
}

const identifier = () => text(IDENTIFIER_RULE, { test: isSqlIdentifier });

/** Each column may be written by one thing only: the key, one attribute, the jsonb bag or the timestamp. */
function distinctColumns(named: Array<[string, string | undefined]>, at: At): void {
  const seen = new Map<string, string>();
  for (const [setting, column] of named) {
    if (!column) continue;
    const other = seen.get(column);
    if (other !== undefined)
      at.child(setting).problem(`uses column ${column}, already used by ${at.child(other).name}`);
    else seen.set(column, setting);
  }
}

export const accountsMapping = mapping(
  {
    table: identifier(),
    keyColumn: identifier(),
    columns: record(
      isSqlIdentifier,
      IDENTIFIER_RULE,
      'must be a mapping of order attribute names to column names',
    ),
    attributesColumn: optional(identifier()),
    updatedAtColumn: optional(identifier()),
  },
  {
    rule: 'must be a mapping with table, keyColumn and columns',
    default: BUILT_IN_ACCOUNTS,
    check: (accounts, at) =>
      distinctColumns(
        [
          ['keyColumn', accounts.keyColumn],
          ...Object.entries(accounts.columns).map(([a, c]): [string, string] => [`columns.${a}`, c]),
          ['attributesColumn', accounts.attributesColumn],
          ['updatedAtColumn', accounts.updatedAtColumn],
        ],
        at,
      ),
  },
);

export const membershipsMapping = mapping(
  { table: identifier(), accountColumn: identifier(), groupColumn: identifier() },
  {
    rule: 'must be a mapping with table, accountColumn and groupColumn',
    default: BUILT_IN_MEMBERSHIPS,
    check: (memberships, at) =>
      distinctColumns(
        [
          ['accountColumn', memberships.accountColumn],
          ['groupColumn', memberships.groupColumn],
        ],
        at,
      ),
  },
);

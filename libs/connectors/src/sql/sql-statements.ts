import {
  BUILT_IN_ACCOUNTS,
  type SqlAccountsMapping,
  type SqlMembershipsMapping,
} from './sql-mapping-settings';

/**
 * The SQL text of the sql connector, built from the table mapping. Identifiers come from
 * validated settings (sql-mapping-settings.ts) and are double-quoted; every value is a bound
 * parameter. Parameters are left untyped where they meet a column, so PostgreSQL converts them
 * to the column's type ("3" into an integer column), and an impossible value fails with
 * PostgreSQL's own message.
 */

export interface Statement {
  text: string;
  values: unknown[];
}

const quote = (name: string): string => `"${name}"`;

/**
 * How an order's value is sent: objects and lists as JSON text (pg would send a list as an
 * array literal, which a text column would keep as `{a,b}` and verification could not compare).
 */
export function sqlValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value);
  return value;
}

export class SqlStatements {
  readonly accountsTable: string;
  readonly membershipsTable: string;
  private readonly key: string;
  private readonly member: string;
  private readonly group: string;

  constructor(
    readonly schema: string,
    readonly accounts: SqlAccountsMapping,
    readonly memberships: SqlMembershipsMapping,
  ) {
    this.accountsTable = `${quote(schema)}.${quote(accounts.table)}`;
    this.membershipsTable = `${quote(schema)}.${quote(memberships.table)}`;
    this.key = quote(accounts.keyColumn);
    this.member = quote(memberships.accountColumn);
    this.group = quote(memberships.groupColumn);
  }

  /** Order attributes that have nowhere to go: no column, and no jsonb column for the rest. */
  unmappedAttributes(attributes: Record<string, unknown>): string[] {
    if (this.accounts.attributesColumn !== undefined) return [];
    return Object.keys(attributes).filter((name) => !Object.hasOwn(this.accounts.columns, name));
  }

  /** Splits an order's attributes into column values and the rest (for the jsonb column). */
  private split(attributes: Record<string, unknown>): {
    columns: Array<[string, unknown]>;
    rest: Record<string, unknown>;
  } {
    const columns: Array<[string, unknown]> = [];
    const rest: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(attributes)) {
      if (Object.hasOwn(this.accounts.columns, name))
        columns.push([this.accounts.columns[name], sqlValue(value)]);
      else rest[name] = value;
    }
    return { columns, rest };
  }

  /**
   * Serialises every write to one account across agents and connector instances: the
   * check-then-write steps below need no unique constraint in an application's own tables.
   */
  lockAccount(accountKey: string): Statement {
    return {
      text: 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))',
      values: [this.accountsTable, accountKey],
    };
  }

  accountExists(accountKey: string): Statement {
    return {
      text: `SELECT 1 FROM ${this.accountsTable} WHERE ${this.key} = $1 LIMIT 1`,
      values: [accountKey],
    };
  }

  insertAccount(accountKey: string, attributes: Record<string, unknown>): Statement {
    const { columns, rest } = this.split(attributes);
    const names = [this.key, ...columns.map(([c]) => quote(c))];
    const values: unknown[] = [accountKey, ...columns.map(([, v]) => v)];
    const placeholders = values.map((_, i) => `$${i + 1}`);
    if (this.accounts.attributesColumn !== undefined) {
      names.push(quote(this.accounts.attributesColumn));
      values.push(JSON.stringify(rest));
      placeholders.push(`$${values.length}::jsonb`);
    }
    if (this.accounts.updatedAtColumn !== undefined) {
      names.push(quote(this.accounts.updatedAtColumn));
      placeholders.push('now()');
    }
    return {
      text: `INSERT INTO ${this.accountsTable} (${names.join(', ')}) VALUES (${placeholders.join(', ')})`,
      values,
    };
  }

  /**
   * Sets the order's values, merging the rest into the jsonb column (values other tools keep
   * there survive). The WHERE skips the write, and a new updated-at, when a redelivered order
   * finds everything already there. Undefined when the order has nothing to write.
   */
  updateAccount(accountKey: string, attributes: Record<string, unknown>): Statement | undefined {
    const { columns, rest } = this.split(attributes);
    const values: unknown[] = [accountKey];
    const sets: string[] = [];
    const differs: string[] = [];
    for (const [column, value] of columns) {
      values.push(value);
      sets.push(`${quote(column)} = $${values.length}`);
      differs.push(`${quote(column)} IS DISTINCT FROM $${values.length}`);
    }
    const bag = this.accounts.attributesColumn;
    if (bag !== undefined && Object.keys(rest).length > 0) {
      values.push(JSON.stringify(rest));
      const merged = `COALESCE(${quote(bag)}, '{}'::jsonb) || $${values.length}::jsonb`;
      sets.push(`${quote(bag)} = ${merged}`);
      differs.push(`${quote(bag)} IS DISTINCT FROM ${merged}`);
    }
    if (sets.length === 0) return undefined;
    if (this.accounts.updatedAtColumn !== undefined)
      sets.push(`${quote(this.accounts.updatedAtColumn)} = now()`);
    return {
      text: `UPDATE ${this.accountsTable} SET ${sets.join(', ')} WHERE ${this.key} = $1 AND (${differs.join(' OR ')})`,
      values,
    };
  }

  /**
   * Which of the order's attributes the existing account does not show (the take-over rule):
   * one boolean column per attribute, named by its position in `names`.
   */
  differingAttributes(
    accountKey: string,
    attributes: Record<string, unknown>,
  ): Statement & { names: string[] } {
    const { columns, rest } = this.split(attributes);
    const values: unknown[] = [accountKey];
    const tests: string[] = [];
    const names: string[] = [];
    const columnAttribute = new Map(Object.entries(this.accounts.columns).map(([a, c]) => [c, a]));
    for (const [column, value] of columns) {
      values.push(value);
      names.push(columnAttribute.get(column) ?? column);
      tests.push(`${quote(column)} IS DISTINCT FROM $${values.length}`);
    }
    const bag = this.accounts.attributesColumn;
    for (const [name, value] of Object.entries(bag !== undefined ? rest : {})) {
      values.push(name, JSON.stringify(value ?? null));
      names.push(name);
      tests.push(
        `COALESCE(${quote(bag as string)} -> $${values.length - 1}::text, 'null'::jsonb) IS DISTINCT FROM $${values.length}::jsonb`,
      );
    }
    const selected = tests.length ? tests.map((t, i) => `${t} AS d${i}`).join(', ') : '1 AS none';
    return {
      text: `SELECT ${selected} FROM ${this.accountsTable} WHERE ${this.key} = $1 LIMIT 1`,
      values,
      names,
    };
  }

  /**
   * Renames an account: its key in the account row and in its membership rows, in one statement.
   * The memberships are updated in the same statement as the account row, so that a foreign key
   * from memberships to accounts (NO ACTION, checked at the end of the statement) sees no row
   * pointing at a key that does not exist, whatever the application declared ON UPDATE.
   */
  renameAccount(previous: string, accountKey: string): Statement {
    const updated =
      this.accounts.updatedAtColumn !== undefined ? `, ${quote(this.accounts.updatedAtColumn)} = now()` : '';
    return {
      text: `WITH moved AS (UPDATE ${this.membershipsTable} SET ${this.member} = $2 WHERE ${this.member} = $1)
        UPDATE ${this.accountsTable} SET ${this.key} = $2${updated} WHERE ${this.key} = $1`,
      values: [previous, accountKey],
    };
  }

  membershipExists(accountKey: string, group: string): Statement {
    return {
      text: `SELECT 1 FROM ${this.membershipsTable} WHERE ${this.member} = $1 AND ${this.group} = $2 LIMIT 1`,
      values: [accountKey, group],
    };
  }

  insertMembership(accountKey: string, group: string): Statement {
    return {
      text: `INSERT INTO ${this.membershipsTable} (${this.member}, ${this.group}) VALUES ($1, $2)`,
      values: [accountKey, group],
    };
  }

  deleteMembership(accountKey: string, group: string): Statement {
    return {
      text: `DELETE FROM ${this.membershipsTable} WHERE ${this.member} = $1 AND ${this.group} = $2`,
      values: [accountKey, group],
    };
  }

  /** Deletes the account once no membership is left (an account-only Deleted, or the last group). */
  deleteAccountWithoutMemberships(accountKey: string): Statement {
    return {
      text: `DELETE FROM ${this.accountsTable} a WHERE a.${this.key} = $1
        AND NOT EXISTS (SELECT 1 FROM ${this.membershipsTable} m WHERE m.${this.member} = a.${this.key})`,
      values: [accountKey],
    };
  }

  /**
   * Every account, columns read as text: targets store text while the role model may compute
   * numbers or booleans, and verification compares text (see observation.ts). Aliased by
   * position, since attribute names are not SQL identifiers.
   */
  readAccounts(): { text: string; attributeOfAlias: Map<string, string> } {
    const attributeOfAlias = new Map<string, string>();
    const selected = [`${this.key}::text AS k`];
    Object.entries(this.accounts.columns).forEach(([attribute, column], i) => {
      attributeOfAlias.set(`c${i}`, attribute);
      selected.push(`${quote(column)}::text AS c${i}`);
    });
    if (this.accounts.attributesColumn !== undefined)
      selected.push(`${quote(this.accounts.attributesColumn)} AS x`);
    return { text: `SELECT ${selected.join(', ')} FROM ${this.accountsTable} ORDER BY 1`, attributeOfAlias };
  }

  readMemberships(): string {
    return `SELECT ${this.member}::text AS a, ${this.group}::text AS g FROM ${this.membershipsTable} ORDER BY 1, 2`;
  }

  /** Columns each table must have, for the check on first use. */
  requiredColumns(): Array<{ table: string; columns: string[] }> {
    const a = this.accounts;
    return [
      {
        table: a.table,
        columns: [a.keyColumn, ...Object.values(a.columns), a.attributesColumn, a.updatedAtColumn].filter(
          (c): c is string => c !== undefined,
        ),
      },
      {
        table: this.memberships.table,
        columns: [this.memberships.accountColumn, this.memberships.groupColumn],
      },
    ];
  }

  /** Tables created when missing (createTables): text columns, the jsonb bag, the timestamps. */
  createAccountsTable(): string {
    const a = this.accounts;
    const columns = [
      `${this.key} text PRIMARY KEY`,
      ...Object.values(a.columns).map((c) => `${quote(c)} text`),
      ...(a.attributesColumn !== undefined
        ? [`${quote(a.attributesColumn)} jsonb NOT NULL DEFAULT '{}'::jsonb`]
        : []),
      ...(a === BUILT_IN_ACCOUNTS ? ['created_at timestamptz NOT NULL DEFAULT now()'] : []),
      ...(a.updatedAtColumn !== undefined
        ? [`${quote(a.updatedAtColumn)} timestamptz NOT NULL DEFAULT now()`]
        : []),
    ];
    return `CREATE TABLE IF NOT EXISTS ${this.accountsTable} (\n  ${columns.join(',\n  ')})`;
  }

  createMembershipsTable(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.membershipsTable} (
  ${this.member} text NOT NULL REFERENCES ${this.accountsTable} (${this.key}) ON DELETE CASCADE,
  ${this.group} text NOT NULL,
  PRIMARY KEY (${this.member}, ${this.group}))`;
  }
}

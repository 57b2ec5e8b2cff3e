import { ENTERPRISE_USER, type ScimUser } from './scim-user';

/**
 * Evaluates a SCIM filter (RFC 7644 §3.4.2.2) that SCIMMY has parsed into its disjunctive form:
 * an array of terms (OR), each an object of attribute → comparison(s) (AND), a nested object for
 * a complex attribute or a value filter (`emails[type eq "work"]`). SCIMMY parses the grammar;
 * its own matcher compares case-sensitively whatever the schema says, cannot compare a
 * multi-valued attribute by its `value`, and misses extension attributes, so matching is done
 * here against the attributes this service provider supports (and only those: any other is a 400).
 */

type Value = string | boolean;
interface AttributeRule {
  values: (user: ScimUser) => Value[];
  caseExact?: boolean;
  kind?: 'boolean' | 'dateTime';
}

const present = (v: string | undefined): Value[] => (v === undefined || v === '' ? [] : [v]);
const enterprise = (u: ScimUser) => u[ENTERPRISE_USER] ?? {};

/** Canonical lower-case paths; enterprise attributes under `enterprise.`. */
const ATTRIBUTES: Record<string, AttributeRule> = {
  id: { values: (u) => [u.id], caseExact: true },
  externalid: { values: (u) => present(u.externalId), caseExact: true },
  username: { values: (u) => [u.userName] },
  displayname: { values: (u) => [u.displayName] },
  'name.givenname': { values: (u) => [u.name.givenName] },
  'name.familyname': { values: (u) => [u.name.familyName] },
  'name.formatted': { values: (u) => [u.name.formatted] },
  'emails.value': { values: (u) => u.emails.map((e) => e.value) },
  'emails.type': { values: (u) => u.emails.map((e) => e.type) },
  'emails.primary': { values: (u) => u.emails.map((e) => e.primary), kind: 'boolean' },
  active: { values: (u) => [u.active], kind: 'boolean' },
  'meta.created': { values: (u) => [u.meta.created], kind: 'dateTime' },
  'meta.lastmodified': { values: (u) => [u.meta.lastModified], kind: 'dateTime' },
  'meta.resourcetype': { values: (u) => [u.meta.resourceType], caseExact: true },
  'enterprise.department': { values: (u) => present(enterprise(u).department) },
  'enterprise.employeenumber': { values: (u) => present(enterprise(u).employeeNumber) },
  'enterprise.manager.value': { values: (u) => present(enterprise(u).manager?.value), caseExact: true },
};
/** A multi-valued or complex attribute named alone means its `value` (RFC 7644 §3.4.2.2). */
const ALIASES: Record<string, string> = {
  emails: 'emails.value',
  'enterprise.manager': 'enterprise.manager.value',
};

export const FILTERABLE = Object.keys(ATTRIBUTES);

/** A filter or sortBy this service provider cannot evaluate: 400 with scimType invalidFilter. */
export class ScimFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScimFilterError';
  }
}

const CORE_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:user:';
const ENTERPRISE_LOWER = ENTERPRISE_USER.toLowerCase();

function canonical(path: string): string {
  let p = path.toLowerCase();
  if (p.startsWith(CORE_PREFIX)) p = p.slice(CORE_PREFIX.length);
  if (p === ENTERPRISE_LOWER) return 'enterprise';
  if (p.startsWith(`${ENTERPRISE_LOWER}:`)) p = `enterprise.${p.slice(ENTERPRISE_LOWER.length + 1)}`;
  return p;
}

function rule(path: string, original: string): AttributeRule {
  const found = ATTRIBUTES[ALIASES[path] ?? path];
  if (!found)
    throw new ScimFilterError(
      `the attribute '${original}' cannot be filtered or sorted on; supported: ${FILTERABLE.join(', ')}`,
    );
  return found;
}

function compare(
  attribute: AttributeRule,
  values: Value[],
  expression: unknown[],
  original: string,
): boolean {
  const negate = String(expression[0]).toLowerCase() === 'not';
  const [operator, expected] = (negate ? expression.slice(1) : expression) as [string, unknown];
  const op = String(operator).toLowerCase();
  const result = (() => {
    if (op === 'pr') return values.length > 0;
    if (expected === undefined || expected === null)
      throw new ScimFilterError(`'${original} ${operator}' needs a value to compare with`);
    if (attribute.kind === 'boolean') {
      const want = typeof expected === 'string' ? expected.toLowerCase() === 'true' : expected;
      if (typeof want !== 'boolean' || !['eq', 'ne'].includes(op))
        throw new ScimFilterError(`'${original}' is a boolean: compare it with eq or ne and true or false`);
      return op === 'eq' ? values.includes(want) : !values.includes(want);
    }
    const fold = (v: Value) => (attribute.caseExact ? String(v) : String(v).toLowerCase());
    const want = fold(String(expected));
    const time = (v: string) => Date.parse(v);
    if (
      attribute.kind === 'dateTime' &&
      ['gt', 'ge', 'lt', 'le', 'eq', 'ne'].includes(op) &&
      Number.isNaN(time(want))
    )
      throw new ScimFilterError(`'${original}' is a date and time: '${String(expected)}' is not one`);
    const order = (v: Value) =>
      attribute.kind === 'dateTime'
        ? Math.sign(time(String(v)) - time(want))
        : fold(v) < want
          ? -1
          : fold(v) > want
            ? 1
            : 0;
    const test: Record<string, (v: Value) => boolean> = {
      eq: (v) => order(v) === 0,
      co: (v) => fold(v).includes(want),
      sw: (v) => fold(v).startsWith(want),
      ew: (v) => fold(v).endsWith(want),
      gt: (v) => order(v) > 0,
      ge: (v) => order(v) >= 0,
      lt: (v) => order(v) < 0,
      le: (v) => order(v) <= 0,
    };
    if (op === 'ne') return !values.some(test.eq);
    if (!test[op]) throw new ScimFilterError(`unknown operator '${operator}'`);
    return values.some(test[op]);
  })();
  return negate ? !result : result;
}

function matchesTerm(term: Record<string, unknown>, user: ScimUser, prefix: string): boolean {
  return Object.entries(term).every(([attr, expression]) => {
    const path = prefix ? `${prefix}.${canonical(attr)}` : canonical(attr);
    if (!Array.isArray(expression)) {
      if (typeof expression !== 'object' || expression === null)
        throw new ScimFilterError(`the filter on '${attr}' cannot be read`);
      // One e-mail address per identity: a value filter on emails is a condition on that address.
      return matchesTerm(expression as Record<string, unknown>, user, path);
    }
    const attribute = rule(path, attr);
    const values = attribute.values(user);
    const list = expression.every(Array.isArray) ? (expression as unknown[][]) : [expression];
    return list.every((e) => compare(attribute, values, e, attr));
  });
}

/** Whether the user satisfies the parsed filter (any term, every condition of it). */
export function matchesFilter(filter: ReadonlyArray<Record<string, unknown>>, user: ScimUser): boolean {
  return filter.some((term) => matchesTerm(term, user, ''));
}

/** The users in `sortBy` order (RFC 7644 §3.4.2.3): missing values last, text case-insensitively. */
export function sortUsers(users: ScimUser[], sortBy: string, descending: boolean): ScimUser[] {
  const path = canonical(sortBy);
  const attribute = rule(path, sortBy);
  const key = (u: ScimUser) => attribute.values(u)[0];
  const sorted = [...users].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    const [sx, sy] = attribute.caseExact
      ? [String(x), String(y)]
      : [String(x).toLowerCase(), String(y).toLowerCase()];
    const order =
      attribute.kind === 'dateTime' ? Date.parse(sx) - Date.parse(sy) : sx < sy ? -1 : sx > sy ? 1 : 0;
    return order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
  return descending ? sorted.reverse() : sorted;
}

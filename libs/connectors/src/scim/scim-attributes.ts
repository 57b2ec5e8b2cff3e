import type { ScimKeyAttribute } from './scim-settings';

/**
 * How the attribute names of provisioning orders (what a resource type's `attributes` produce)
 * map to a SCIM User (RFC 7643 §4.1, enterprise extension §4.3). readAll maps back with the same
 * table, so that synchronization compares values under the names the orders use.
 *
 *   userName, externalId, displayName, nickName, title, userType, preferredLanguage, locale,
 *   timezone, profileUrl                      → the attribute of the same name
 *   givenName, familyName, middleName, honorificPrefix, honorificSuffix → name.<same>
 *   formattedName                             → name.formatted
 *   email                                     → emails: the value of the primary one (else the first)
 *   phoneNumber                               → phoneNumbers: likewise
 *   active                                    → active (true/false, also "true"/"false", 1/0)
 *   employeeNumber, costCenter, organization, division, department
 *                                             → urn:ietf:params:scim:schemas:extension:enterprise:2.0:User
 *
 * null or "" removes a value. Any other attribute name is refused (permanent error): SCIM
 * services reject unknown attributes anyway, and the message then names the mapping to use.
 */

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

type Kind = 'string' | 'boolean' | 'primary';
interface Mapping {
  /** Where the value sits in the SCIM resource: [attribute] or [parent, sub-attribute]. */
  path: [string] | [string, string];
  kind: Kind;
}

const mappings = new Map<string, Mapping>();
for (const name of ['userName', 'externalId', 'displayName', 'nickName', 'title', 'userType']) {
  mappings.set(name, { path: [name], kind: 'string' });
}
for (const name of ['preferredLanguage', 'locale', 'timezone', 'profileUrl']) {
  mappings.set(name, { path: [name], kind: 'string' });
}
for (const name of ['givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix']) {
  mappings.set(name, { path: ['name', name], kind: 'string' });
}
mappings.set('formattedName', { path: ['name', 'formatted'], kind: 'string' });
mappings.set('email', { path: ['emails'], kind: 'primary' });
mappings.set('phoneNumber', { path: ['phoneNumbers'], kind: 'primary' });
mappings.set('active', { path: ['active'], kind: 'boolean' });
for (const name of ['employeeNumber', 'costCenter', 'organization', 'division', 'department']) {
  mappings.set(name, { path: [ENTERPRISE_USER, name], kind: 'string' });
}

/** Every attribute name an order may use on a scim connection. */
export const SCIM_ATTRIBUTE_NAMES: readonly string[] = [...mappings.keys()];

export type ScimUser = Record<string, unknown> & { id: string };
export type ScimValue = string | boolean | null;
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}
interface MultiValue {
  value?: unknown;
  primary?: boolean;
  type?: string;
  [key: string]: unknown;
}

function scimPath(mapping: Mapping): string {
  // Extension attributes are addressed as "<schema URN>:<attribute>" (RFC 7644 §3.10).
  const [parent, sub] = mapping.path;
  if (sub === undefined) return parent;
  return parent === ENTERPRISE_USER ? `${parent}:${sub}` : `${parent}.${sub}`;
}

function primaryEntry(list: unknown): MultiValue | undefined {
  if (!Array.isArray(list)) return undefined;
  const entries = list.filter((e): e is MultiValue => e !== null && typeof e === 'object');
  return entries.find((e) => e.primary === true) ?? entries[0];
}

/** The value an order's attribute has in a SCIM user (undefined when absent). */
function readValue(user: Record<string, unknown>, mapping: Mapping): unknown {
  const [parent, sub] = mapping.path;
  if (mapping.kind === 'primary') return primaryEntry(user[parent])?.value;
  const outer = user[parent];
  if (sub === undefined) return outer;
  return outer !== null && typeof outer === 'object' ? (outer as Record<string, unknown>)[sub] : undefined;
}

/**
 * The order's value in SCIM terms: text for text attributes, a boolean for `active`, null to
 * remove. Returns a problem description instead when the value cannot be written.
 */
function normalise(
  name: string,
  mapping: Mapping,
  value: unknown,
): { value: ScimValue } | { problem: string } {
  if (value === null || value === undefined || value === '') return { value: null };
  if (mapping.kind === 'boolean') {
    if (typeof value === 'boolean') return { value };
    const text = String(value).trim().toLowerCase();
    if (text === 'true' || text === '1') return { value: true };
    if (text === 'false' || text === '0') return { value: false };
    return { problem: `attribute ${name} must be true or false, got ${JSON.stringify(value)}` };
  }
  if (typeof value === 'string') return { value };
  if (typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
  return { problem: `attribute ${name} must be a text, a number or a boolean, got ${JSON.stringify(value)}` };
}

/** Values compare as text, as observation.ts does: "" and absent are the same, 7 equals "7". */
function sameValue(current: unknown, wanted: ScimValue): boolean {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return text(current) === text(wanted);
}

/**
 * What the SCIM user must hold for an order: its attributes, plus the key attribute set to the
 * accountKey. Throws a list of problems (unknown attribute names, unusable values, a key
 * attribute contradicting the accountKey) for the caller to report as one permanent error.
 */
export function wantedScimValues(
  accountKey: string,
  attributes: Record<string, unknown>,
  keyAttribute: ScimKeyAttribute,
): Map<string, ScimValue> {
  const wanted = new Map<string, ScimValue>();
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(attributes)) {
    const mapping = mappings.get(name);
    if (!mapping) {
      problems.push(`attribute ${name} has no SCIM mapping (known: ${SCIM_ATTRIBUTE_NAMES.join(', ')})`);
      continue;
    }
    const result = normalise(name, mapping, raw);
    if ('problem' in result) problems.push(result.problem);
    else wanted.set(name, result.value);
  }
  const given = wanted.get(keyAttribute);
  if (given !== undefined && given !== accountKey) {
    problems.push(
      `attribute ${keyAttribute} must equal the accountKey '${accountKey}' (it is the account's key)`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  wanted.set(keyAttribute, accountKey);
  // SCIM requires userName; keyed by externalId, it defaults to the key too.
  if (!wanted.get('userName')) wanted.set('userName', accountKey);
  return wanted;
}

/** The body of POST /Users for the wanted values (null values are simply left out). */
export function newScimUser(wanted: Map<string, ScimValue>): Record<string, unknown> {
  const user: Record<string, unknown> = {};
  for (const [name, value] of wanted) {
    const mapping = mappings.get(name)!;
    if (value === null) continue;
    const [parent, sub] = mapping.path;
    if (mapping.kind === 'primary') user[parent] = [{ value, type: 'work', primary: true }];
    else if (sub === undefined) user[parent] = value;
    else user[parent] = { ...((user[parent] as object | undefined) ?? {}), [sub]: value };
  }
  user.schemas = user[ENTERPRISE_USER] ? [CORE_USER, ENTERPRISE_USER] : [CORE_USER];
  return user;
}

/** PATCH operations turning `user` into the wanted values: only what differs, nothing when equal. */
export function patchOperations(
  user: Record<string, unknown>,
  wanted: Map<string, ScimValue>,
): PatchOperation[] {
  const operations: PatchOperation[] = [];
  for (const [name, value] of wanted) {
    const mapping = mappings.get(name)!;
    if (sameValue(readValue(user, mapping), value)) continue;
    const path = scimPath(mapping);
    if (mapping.kind !== 'primary') {
      operations.push(value === null ? { op: 'remove', path } : { op: 'replace', path, value });
      continue;
    }
    // The whole list is replaced: servers differ in supporting filtered paths such as
    // emails[primary eq true].value, and the other entries (home address...) are kept as they are.
    const list = Array.isArray(user[path]) ? (user[path] as MultiValue[]) : [];
    const current = primaryEntry(list);
    const others = list.filter((e) => e !== current).map((e) => ({ ...e, primary: false }));
    if (value === null) {
      operations.push(others.length > 0 ? { op: 'replace', path, value: others } : { op: 'remove', path });
    } else {
      const entry = { ...(current ?? { type: 'work' }), value, primary: true };
      operations.push({ op: 'replace', path, value: [entry, ...others] });
    }
  }
  return operations;
}

/** A SCIM user's values under the order attribute names (absent values left out), for readAll. */
export function orderAttributesOf(user: Record<string, unknown>): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [name, mapping] of mappings) {
    const value = readValue(user, mapping);
    if (value !== undefined && value !== null && value !== '') attributes[name] = value;
  }
  return attributes;
}

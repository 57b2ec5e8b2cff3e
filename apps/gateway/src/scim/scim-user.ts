import { createHash } from 'node:crypto';
import type { IdentityRecord } from '@prov/read-models';
import { type SourceIdentity } from '../directory/identity-changes';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A SCIM User as this service provider stores it (RFC 7643 §4.1 and §4.3, the supported part). */
export interface ScimUser {
  id: string;
  externalId?: string;
  userName: string;
  name: { givenName: string; familyName: string; formatted: string };
  displayName: string;
  emails: Array<{ value: string; type: 'work'; primary: true }>;
  active: boolean;
  [ENTERPRISE_USER]?: { department?: string; employeeNumber?: string; manager?: { value: string } };
  meta: { resourceType: 'User'; created: string; lastModified: string; version: string };
}

/** A bad value in a SCIM request: becomes a 400 with scimType invalidValue naming the attribute. */
export class ScimInputError extends Error {
  constructor(
    readonly attribute: string,
    rule: string,
  ) {
    super(`${attribute} ${rule}`);
    this.name = 'ScimInputError';
  }
}

/**
 * The weak ETag of a User: a digest of what SCIM shows of the identity. Not the stream revision:
 * assignments also append to the identity's stream, and they must not make a client's copy stale.
 */
export function versionOf(record: IdentityRecord): string {
  const { meta: _meta, ...shown } = toScimUser(record, '');
  return `W/"${createHash('sha256').update(JSON.stringify(shown)).digest('base64url').slice(0, 22)}"`;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function toScimUser(record: IdentityRecord, version = versionOf(record)): ScimUser {
  const a = record.attributes;
  const enterprise = {
    ...(record.department ? { department: record.department } : {}),
    ...(text(a.employeeNumber) ? { employeeNumber: text(a.employeeNumber) } : {}),
    ...(text(a.manager) ? { manager: { value: text(a.manager)! } } : {}),
  };
  const formatted = `${record.firstName} ${record.lastName}`;
  return {
    id: record.id,
    ...(text(a.externalId) ? { externalId: text(a.externalId) } : {}),
    userName: record.login,
    name: { givenName: record.firstName, familyName: record.lastName, formatted },
    displayName: formatted,
    emails: [{ value: record.email, type: 'work', primary: true }],
    active: record.active,
    ...(Object.keys(enterprise).length ? { [ENTERPRISE_USER]: enterprise } : {}),
    meta: {
      resourceType: 'User',
      created: record.registeredAt,
      lastModified: record.updatedAt,
      version,
    },
  };
}

type Json = Record<string, unknown>;

function required(value: unknown, attribute: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ScimInputError(attribute, 'is required (a non-empty string)');
  if (value.length > max) throw new ScimInputError(attribute, `must be at most ${max} characters`);
  return value;
}

function optional(value: unknown, attribute: string, max = 200): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ScimInputError(attribute, 'must be a string');
  if (value.length > max) throw new ScimInputError(attribute, `must be at most ${max} characters`);
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The identity a SCIM User (as SCIMMY parsed it) describes. The identity needs a first name, a
 * last name and an e-mail address: a User without them is refused naming the attribute. Of
 * several e-mail addresses the primary one (else the first) is kept. `active` absent means active.
 */
export function fromScimUser(user: Json): SourceIdentity {
  const name = (user.name ?? {}) as Json;
  const emails = Array.isArray(user.emails) ? (user.emails as Json[]) : [];
  const email = (emails.find((e) => e.primary === true) ?? emails[0])?.value;
  const enterprise = (user[ENTERPRISE_USER] ?? {}) as Json;
  const manager = enterprise.manager as Json | undefined;
  const address = required(email, 'emails', 320);
  if (!EMAIL.test(address)) throw new ScimInputError('emails', 'must hold an e-mail address (name@domain)');
  return {
    login: required(user.userName, 'userName', 100),
    firstName: required(name.givenName, 'name.givenName', 200),
    lastName: required(name.familyName, 'name.familyName', 200),
    email: address,
    department: optional(enterprise.department, `${ENTERPRISE_USER}:department`),
    externalId: optional(user.externalId, 'externalId'),
    employeeNumber: optional(enterprise.employeeNumber, `${ENTERPRISE_USER}:employeeNumber`),
    manager: optional(manager?.value, `${ENTERPRISE_USER}:manager.value`),
    active: user.active !== false,
  };
}

/**
 * Entra ID (without its `aadOptscim062020` flag) sends `active` in PATCH as the strings
 * "True"/"False"; SCIMMY rightly refuses a string for a boolean. Only that attribute is coerced.
 */
export function normalisePatch(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Json).Operations)) return body;
  const bool = (v: unknown) =>
    typeof v === 'string' && /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : v;
  const operations = ((body as Json).Operations as unknown[]).map((op) => {
    if (typeof op !== 'object' || op === null) return op;
    const o = op as Json;
    if (typeof o.path === 'string' && o.path.toLowerCase() === 'active')
      return { ...o, value: bool(o.value) };
    if (
      o.path === undefined &&
      typeof o.value === 'object' &&
      o.value !== null &&
      'active' in (o.value as Json)
    )
      return { ...o, value: { ...(o.value as Json), active: bool((o.value as Json).active) } };
    return o;
  });
  return { ...(body as Json), Operations: operations };
}

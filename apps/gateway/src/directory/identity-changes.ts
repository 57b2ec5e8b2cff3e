import type { IdentityRecord } from '@prov/read-models';

/**
 * The identity attributes an authoritative source (SCIM client, HR file) owns besides the
 * profile: kept in the identity's `attributes`, so the role model can read them too.
 */
export const SOURCE_ATTRIBUTES = ['externalId', 'employeeNumber', 'manager'] as const;
export type SourceAttribute = (typeof SOURCE_ATTRIBUTES)[number];

/** Marks an identity a SCIM client deleted: deactivated, kept for the audit, hidden from SCIM. */
export const SCIM_DELETED = 'scimDeleted';

/** What an authoritative source says an identity is. Absent optional fields are "none". */
export interface SourceIdentity {
  login: string;
  firstName: string;
  lastName: string;
  email: string;
  department?: string;
  externalId?: string;
  employeeNumber?: string;
  manager?: string;
  active: boolean;
}

/** The body of an update-identity command: only what differs. */
export interface IdentityUpdate {
  login?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  department?: string | null;
  attributes?: Record<string, string | boolean | null>;
}

export interface IdentityChangeSet {
  /** Absent when the profile is already as the source says. */
  update?: IdentityUpdate;
  /** true: reactivate; false: deactivate; absent: the status stays. */
  activate?: boolean;
}

const PROFILE = ['login', 'firstName', 'lastName', 'email'] as const;

/**
 * How to bring the identity to what the source says: the fields that differ (an absent
 * department or source attribute removes it) and the status change. Attributes the source does
 * not own are never touched.
 */
export function identityChanges(current: IdentityRecord, wanted: SourceIdentity): IdentityChangeSet {
  const update: IdentityUpdate = {};
  for (const field of PROFILE) if (current[field] !== wanted[field]) update[field] = wanted[field];
  if ((current.department ?? undefined) !== (wanted.department || undefined))
    update.department = wanted.department || null;
  const attributes: Record<string, string | null> = {};
  for (const key of SOURCE_ATTRIBUTES) {
    const now = current.attributes[key];
    const next = wanted[key] || undefined;
    if (now !== next && !(now === undefined && next === undefined)) attributes[key] = next ?? null;
  }
  if (Object.keys(attributes).length) update.attributes = attributes;
  const changes: IdentityChangeSet = {};
  if (Object.keys(update).length) changes.update = update;
  if (current.active !== wanted.active) changes.activate = wanted.active;
  return changes;
}

/** The register-identity body for a new identity (the id, when given, is the source's key). */
export function registration(wanted: SourceIdentity, id?: string) {
  const attributes: Record<string, string> = {};
  for (const key of SOURCE_ATTRIBUTES) if (wanted[key]) attributes[key] = wanted[key]!;
  return {
    ...(id ? { id } : {}),
    login: wanted.login,
    firstName: wanted.firstName,
    lastName: wanted.lastName,
    email: wanted.email,
    ...(wanted.department ? { department: wanted.department } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
  };
}

/** Whether the record already shows what the source said (a write has reached the read model). */
export function showsSource(record: IdentityRecord, wanted: SourceIdentity): boolean {
  const changes = identityChanges(record, wanted);
  return !changes.update && changes.activate === undefined;
}

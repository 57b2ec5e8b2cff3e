import type { RegisteredIdentity } from '@prov/domain';
import type { IdentityAttributes } from '@prov/role-model';

/** The variables role-model expressions see: custom attributes, then the fixed profile fields. */
export function identityAttributes(identity: RegisteredIdentity): IdentityAttributes {
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(identity.attributes)) {
    if (typeof value !== 'object') attributes[key] = value;
  }
  return {
    ...attributes,
    id: identity.identityId,
    login: identity.login,
    firstName: identity.firstName,
    lastName: identity.lastName,
    email: identity.email,
    department: identity.department ?? null,
  };
}

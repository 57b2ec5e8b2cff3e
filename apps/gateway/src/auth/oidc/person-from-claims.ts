import type { ApiRole, OidcSettings } from '@prov/config';
import type { Person } from '../console-sessions';

export type SignInDecision = { person: Person } | { refused: string };

/** The claim's groups, whether the provider sends a list or one text. */
function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/**
 * Who a person is to the engine, from the provider's claims: the first group of the mapping
 * they belong to gives the role; without any mapped group they may not sign in.
 */
export function personFromClaims(
  claims: Record<string, unknown>,
  settings: Pick<OidcSettings, 'rolesClaim' | 'roleMapping' | 'nameClaim'>,
): SignInDecision {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject.length === 0)
    return { refused: 'the provider sent no subject (sub)' };
  const groups = new Set(groupsOf(claims, settings.rolesClaim));
  const role: ApiRole | undefined = settings.roleMapping.find((m) => groups.has(m.group))?.role;
  if (!role) {
    const mapped = settings.roleMapping.map((m) => m.group).join(', ');
    return {
      refused: `none of your groups (claim '${settings.rolesClaim}') gives a role here; ask to be added to one of: ${mapped}`,
    };
  }
  const named = claims[settings.nameClaim];
  const name = typeof named === 'string' && named.trim() ? named : subject;
  return { person: { subject, name, role } };
}

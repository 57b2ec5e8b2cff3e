import type { GeneratePasswordPolicy, RoleModelConnection, RoleModelResourceType } from '../types';
import type { Checker, Mapping, Path } from './checker';

/**
 * Attribute names that hold a credential (AD `password`/`unicodePwd`, LDAP `userPassword`, SCIM
 * `password`, ...). Their values would be stored in the order events, the read models and the
 * JetStream messages forever, so the role model may not map them; generatePassword makes the
 * agent create the value at write time instead (ADR 0011).
 */
export const WRITE_ONLY_ATTRIBUTE = /(passw(or)?d|^unicodepwd$|secret)/i;

export const WRITE_ONLY_RULE =
  'is write-only (a credential): its value would be stored in the event log forever. ' +
  "Use the resource type's generatePassword instead, which has the agent make one when it creates the account";

export const PASSWORD_LENGTH = { min: 4, max: 256, default: 20 } as const;

/**
 * `generatePassword: { attribute: password, length: 20 }`: the agent generates a password of
 * that length for each account it creates and writes it to `attribute`; no one else sees it
 * except the person, through the delivery channel.
 */
export function readGeneratePassword(
  check: Checker,
  value: unknown,
  path: Path,
): GeneratePasswordPolicy | undefined {
  if (value === undefined || value === null) return undefined;
  const map: Mapping | undefined = check.mapping(value, path, ['attribute', 'length'], ['attribute']);
  if (!map) return undefined;
  const attribute = check.text(map, 'attribute', path);
  const length = check.integer(map, 'length', path, PASSWORD_LENGTH.min) ?? PASSWORD_LENGTH.default;
  if (length > PASSWORD_LENGTH.max)
    check.problem([...path, 'length'], `must be at most ${PASSWORD_LENGTH.max}`);
  return attribute === undefined ? undefined : { attribute, length };
}

/** Connectors that write a generated password and say whether they did (ADR 0011). */
export const PASSWORD_GENERATING_CONNECTORS: readonly string[] = ['ad'];

export function checkGeneratedPasswords(
  check: Checker,
  resourceTypes: ReadonlyArray<RoleModelResourceType | undefined>,
  connections: ReadonlyArray<RoleModelConnection | undefined>,
): void {
  resourceTypes.forEach((resourceType, index) => {
    if (!resourceType?.generatePassword) return;
    const connection = connections.find((c) => c?.id === resourceType.connectionId);
    if (connection && !PASSWORD_GENERATING_CONNECTORS.includes(connection.connector)) {
      check.problem(
        ['resourceTypes', index, 'generatePassword'],
        `is supported on connections of connector ${PASSWORD_GENERATING_CONNECTORS.join(', ')} only; '${connection.id}' is ${connection.connector}`,
      );
    }
  });
}

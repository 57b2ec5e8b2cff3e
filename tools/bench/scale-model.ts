/**
 * The role model of the scale benchmark: CONNECTIONS SQL connections (`conn_0` …), one resource
 * type each, and ENTITLEMENTS entitlements (`ent_0` …, entitlement k on connection k mod
 * CONNECTIONS, granting group `g_k`). The seed computes every order with it, so the complete
 * job's evaluation over the seeded store finds what a nightly run finds: nothing to change.
 */
import { parseRoleModel, type RoleModel } from '@prov/role-model';

export const CONNECTIONS = 8;
export const ENTITLEMENTS = 50;
/** The environment variable the SQL connections name for their target's connection string. */
export const TARGET_URL_ENV = 'SCALE_TARGET_URL';

export const connectionId = (k: number) => `conn_${k}`;
export const entitlementId = (k: number) => `ent_${k}`;
/** The schema of connection k's SQL target (the connector's built-in tables). */
export const targetSchema = (k: number) => `target_${k}`;

export function roleModelYaml(): string {
  const connections = Array.from(
    { length: CONNECTIONS },
    (_, k) => `  - id: ${connectionId(k)}
    name: Application ${k}
    connector: sql
    fulfillment: automatic
    settings:
      connectionStringEnv: ${TARGET_URL_ENV}
      schema: ${targetSchema(k)}`,
  );
  const resourceTypes = Array.from(
    { length: CONNECTIONS },
    (_, k) => `  - id: account_${k}
    name: Account of application ${k}
    connection: ${connectionId(k)}
    accountKey: login
    attributes:
      displayName: trim(concat(firstName, " ", lastName))
      department: department`,
  );
  const entitlements = Array.from(
    { length: ENTITLEMENTS },
    (_, k) => `  - id: ${entitlementId(k)}
    name: Entitlement ${k}
    resourceType: account_${k % CONNECTIONS}
    group: g_${k}`,
  );
  return [
    'version: 1',
    'connections:',
    ...connections,
    'resourceTypes:',
    ...resourceTypes,
    'entitlements:',
    ...entitlements,
    '',
  ].join('\n');
}

export function scaleRoleModel(): RoleModel {
  return parseRoleModel(roleModelYaml(), 'scale-bench.yaml');
}

import type { ConnectorType, Environment, RoleModelConnection } from '@prov/role-model';
import { AdConnector } from './ad/ad-connector';
import type { Connector } from './connector';
import { ConnectorConfigurationError } from './errors';
import { LdapConnector } from './ldap/ldap-connector';
import { ManualConnector } from './manual/manual-connector';
import { ScimConnector } from './scim/scim-connector';
import { SqlConnector } from './sql/sql-connector';
import { connectionSecretsEnvironment } from '@prov/config';

/**
 * Which implementation serves which connector type of the role model. Adding LDAP, AD or SCIM
 * means adding a line here; until then a connection of that type fails with a message that
 * says so, instead of an agent silently ignoring its orders.
 */
export type ConnectorFactory = (connection: RoleModelConnection, env: Environment) => Connector;

export const CONNECTOR_FACTORIES: Readonly<Partial<Record<ConnectorType, ConnectorFactory>>> = Object.freeze({
  sql: (connection, env) => new SqlConnector(connection, env),
  scim: (connection, env) => new ScimConnector(connection, env),
  ldap: (connection, env) => new LdapConnector(connection, env),
  ad: (connection, env) => new AdConnector(connection, env),
  manual: (connection) => new ManualConnector(connection),
});

export function supportedConnectorTypes(): ConnectorType[] {
  return Object.keys(CONNECTOR_FACTORIES) as ConnectorType[];
}

/**
 * The connector for a connection of the role model. Throws ConnectorConfigurationError for a
 * connector type without implementation or settings that cannot work (naming the environment
 * variable when a secret is missing, never its value).
 */
export function createConnector(
  connection: RoleModelConnection,
  env: Environment = connectionSecretsEnvironment(),
): Connector {
  const factory = Object.prototype.hasOwnProperty.call(CONNECTOR_FACTORIES, connection.connector)
    ? CONNECTOR_FACTORIES[connection.connector]
    : undefined;
  if (!factory) {
    throw new ConnectorConfigurationError(
      `connection '${connection.id}' uses connector '${connection.connector}', which has no implementation ` +
        `(available: ${supportedConnectorTypes().join(', ')})`,
      { code: 'UNSUPPORTED_CONNECTOR' },
    );
  }
  return factory(connection, env);
}

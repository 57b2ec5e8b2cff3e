import type { RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from './errors';
import { ManualConnector } from './manual/manual-connector';
import { createConnector, supportedConnectorTypes } from './registry';
import { SqlConnector } from './sql/sql-connector';

const sql: RoleModelConnection = {
  id: 'hr_app',
  name: 'HR',
  connector: 'sql',
  fulfillment: 'automatic',
  settings: { connectionStringEnv: 'HR_APP_DATABASE_URL', schema: 'hr_app' },
};

describe('createConnector', () => {
  it('creates the sql and manual connectors', async () => {
    const connector = createConnector(sql, { HR_APP_DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db' });
    expect(connector).toBeInstanceOf(SqlConnector);
    await connector.close();
    expect(
      createConnector({ ...sql, connector: 'manual', fulfillment: 'manual', settings: {} }),
    ).toBeInstanceOf(ManualConnector);
    expect(supportedConnectorTypes()).toEqual(expect.arrayContaining(['sql', 'manual', 'ldap', 'scim']));
  });

  it('says clearly that a connector type has no implementation', () => {
    // A type the role model would refuse, as from a newer file read by an older agent.
    expect(() => createConnector({ ...sql, connector: 'mainframe' as never })).toThrow(
      new ConnectorConfigurationError(
        `connection 'hr_app' uses connector 'mainframe', which has no implementation (available: ${supportedConnectorTypes().join(', ')})`,
      ),
    );
  });

  it('names the missing environment variable, and lists every settings problem', () => {
    expect(() => createConnector(sql, {})).toThrow(
      "sql connection 'hr_app' is misconfigured: connection 'hr_app': environment variable HR_APP_DATABASE_URL (settings.connectionStringEnv) is not set or empty",
    );
    let error: unknown;
    try {
      createConnector(
        {
          ...sql,
          settings: { connectionStringEnv: 'X', schema: 'hr-app; drop table x', poolSize: 0, shema: 'a' },
        },
        { X: 'postgres://h/db' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectorConfigurationError);
    expect((error as Error).message).toMatch(
      /settings\.shema is not a setting.*settings\.schema must be a schema name.*settings\.poolSize must be/,
    );
  });
});

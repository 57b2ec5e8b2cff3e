import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { type Connector, createConnector } from '@prov/connectors';
import { connectionSecretsEnvironment, readAgentSettings } from '@prov/config';
import { instrumentConnector, ROLE_MODEL, traceConnector } from '@prov/platform';
import type { RoleModel, RoleModelConnection } from '@prov/role-model';

export class UnknownConnectionError extends Error {
  override readonly name = 'ConnectionNotFoundError';
  constructor(connectionId: string) {
    super(`connection '${connectionId}' is not served by this agent`);
  }
}

/**
 * The connections this agent serves (AGENT_CONNECTIONS, default: every automatic connection of
 * the role model) and one connector per connection, created on first use.
 */
@Injectable()
export class ConnectorPool implements OnApplicationShutdown {
  private readonly connectors = new Map<string, Connector>();
  readonly connections: RoleModelConnection[];

  constructor(@Inject(ROLE_MODEL) roleModel: RoleModel) {
    const wanted = readAgentSettings().connections;
    this.connections = roleModel
      .connections()
      .filter((c) => c.fulfillment === 'automatic' && (!wanted || wanted.includes(c.id)));
  }

  connector(connectionId: string): Connector {
    const connection = this.connections.find((c) => c.id === connectionId);
    if (!connection) throw new UnknownConnectionError(connectionId);
    let connector = this.connectors.get(connectionId);
    if (!connector) {
      connector = traceConnector(
        instrumentConnector(createConnector(connection, connectionSecretsEnvironment()), connectionId),
        connectionId,
      );
      this.connectors.set(connectionId, connector);
    }
    return connector;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.connectors.values()].map((c) => c.close().catch(() => undefined)));
  }
}

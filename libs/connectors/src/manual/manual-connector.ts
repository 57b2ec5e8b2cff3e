import type { RoleModelConnection } from '@prov/role-model';
import type { ConnectionTestResult, Connector, OrderToApply, SynchronizedResources } from '../connector';
import { PermanentConnectorError } from '../errors';

/**
 * The connector of a system fulfilled by people (connector `manual`, e.g. a badge office). Its
 * orders are transmitted to operators, who do the change and confirm it in the console; an
 * agent never applies them. If one reaches `apply` anyway, something is misrouted, and failing
 * loudly (and permanently: retrying cannot help) is better than pretending it was done.
 *
 * There is nothing to read back: a manual system has no synchronization, so its orders stop at
 * Executed (the operator's confirmation) unless a transmitted-validity period flags them.
 */
export class ManualConnector implements Connector {
  constructor(private readonly connection: Pick<RoleModelConnection, 'id' | 'name'>) {}

  async apply(order: OrderToApply): Promise<void> {
    throw new PermanentConnectorError(
      `connection '${this.connection.id}' is fulfilled manually: order ${order.orderId} must be done by an operator ` +
        `and confirmed in the console, not applied by an agent`,
      { code: 'MANUAL_FULFILLMENT' },
    );
  }

  async readAll(): Promise<SynchronizedResources> {
    return { accounts: [], memberships: [] };
  }

  async test(): Promise<ConnectionTestResult> {
    return {
      ok: true,
      message: `connection '${this.connection.id}' is fulfilled manually by operators; nothing to reach`,
    };
  }

  async close(): Promise<void> {
    // Holds no resources.
  }
}

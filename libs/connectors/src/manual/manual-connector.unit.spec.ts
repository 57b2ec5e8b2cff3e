import type { OrderToApply } from '../connector';
import { PermanentConnectorError } from '../errors';
import { ManualConnector } from './manual-connector';

describe('ManualConnector', () => {
  const connector = new ManualConnector({ id: 'badge_office', name: 'Badge office' });
  const order: OrderToApply = {
    orderId: 'o-1',
    attempt: 1,
    changeType: 'Added',
    connectionId: 'badge_office',
    resourceTypeId: 'badge',
    identityId: 'i-1',
    entitlementId: 'building_badge',
    changes: { accountKey: 'jdoe', attributes: {} },
  };

  it('refuses to apply: people fulfil manual orders', async () => {
    await expect(connector.apply(order)).rejects.toThrow(PermanentConnectorError);
    await expect(connector.apply(order)).rejects.toThrow(
      /fulfilled manually: order o-1 must be done by an operator/,
    );
  });

  it('reads nothing and always passes its test', async () => {
    await expect(connector.readAll()).resolves.toEqual({ accounts: [], memberships: [] });
    await expect(connector.test()).resolves.toMatchObject({ ok: true });
    await expect(connector.close()).resolves.toBeUndefined();
  });
});

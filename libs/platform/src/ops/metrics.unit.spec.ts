import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '@prov/event-store';
import {
  connectorErrors,
  eventStoreAppendSeconds,
  instrumentConnector,
  instrumentEventStore,
  metricsRegistry,
  orderTransitionOf,
} from './metrics';

const valueOf = async (name: string, labels: Record<string, string>) => {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
};

describe('metrics', () => {
  it('names order transitions by their event and ignores other events', () => {
    expect(orderTransitionOf('ProvisioningOrderExecuted')).toBe('Executed');
    expect(orderTransitionOf('AssignmentRequested')).toBeUndefined();
  });

  it('times appends and counts the order transitions they carry', async () => {
    const store = instrumentEventStore(new InMemoryEventStore());
    const before = await valueOf('prov_order_transitions_total', { event: 'Generated' });
    await store.appendToStream('order-1', [
      { id: randomUUID(), type: 'ProvisioningOrderGenerated', data: {} },
      { id: randomUUID(), type: 'AssignmentRequested', data: {} },
    ]);
    expect(await valueOf('prov_order_transitions_total', { event: 'Generated' })).toBe(before + 1);
    expect((await store.readStream('order-1')).map((e) => e.type)).toEqual([
      'ProvisioningOrderGenerated',
      'AssignmentRequested',
    ]);
    const appends = (await eventStoreAppendSeconds.get()).values.find(
      (v) => v.metricName === 'prov_event_store_append_duration_seconds_count' && v.labels.outcome === 'ok',
    );
    expect(appends?.value).toBe(1);
  });

  it('counts a failing connector call by connection, operation and error, and passes the error on', async () => {
    class TargetDown extends Error {
      override name = 'TargetDown';
    }
    const connector = instrumentConnector(
      { apply: async () => Promise.reject(new TargetDown('refused')), id: 'x' },
      'ldap',
    );
    await expect(connector.apply()).rejects.toThrow('refused');
    expect(connector.id).toBe('x');
    const errors = await connectorErrors.get();
    expect(errors.values).toContainEqual({
      labels: { connection: 'ldap', operation: 'apply', error: 'TargetDown' },
      value: 1,
    });
  });
});

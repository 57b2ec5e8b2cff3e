import type { CommandClient } from '@prov/messaging';
import type { ConnectionBreakerReport } from '@prov/platform';
import type { ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { CatalogController } from './catalog.controller';

const CONNECTIONS = [
  { id: 'corp_ldap', name: 'Corporate LDAP', connector: 'ldap', fulfillment: 'automatic' },
  { id: 'crm', name: 'CRM', connector: 'scim', fulfillment: 'automatic' },
  { id: 'badge', name: 'Badges', connector: 'manual', fulfillment: 'manual' },
];

/** The controller over stand-ins: a role model with three connections, agents that count the questions. */
function catalog(answer: (connectionId: string) => Promise<ConnectionBreakerReport>) {
  const asked: string[] = [];
  const commands = {
    send: (_service: string, _command: string, payload: { connectionId: string }) => {
      asked.push(payload.connectionId);
      return answer(payload.connectionId);
    },
  } as unknown as CommandClient;
  const roleModel = { connections: () => CONNECTIONS } as unknown as RoleModel;
  const queries = { synchronizations: async () => new Map() } as unknown as ReadModelQueries;
  return { controller: new CatalogController(roleModel, queries, commands), asked };
}

const report = (connectionId: string, state: ConnectionBreakerReport['state']): ConnectionBreakerReport => ({
  connectionId,
  state,
  since: '2026-01-01T00:00:00.000Z',
  heldOrders: 0,
});

describe('GET /api/connections: the breakers', () => {
  // Fake time from before the controller is made: its cache reads the clock (HEALTH_CACHE_MS, 1 s).
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('asks each automatic connection’s agent once per second, however often the list is read', async () => {
    let state: ConnectionBreakerReport['state'] = 'closed';
    const { controller, asked } = catalog(async (id) => report(id, state));

    const first = await controller.connections();
    expect(first.map((c) => [c.id, c.breaker?.state ?? null])).toEqual([
      ['corp_ldap', 'closed'],
      ['crm', 'closed'],
      ['badge', null],
    ]);
    state = 'open';
    await controller.connections();
    await controller.connections();
    expect(asked).toEqual(['corp_ldap', 'crm']);

    jest.advanceTimersByTime(1000);
    const later = await controller.connections();
    expect(asked).toEqual(['corp_ldap', 'crm', 'corp_ldap', 'crm']);
    expect(later.find((c) => c.id === 'corp_ldap')?.breaker).toMatchObject({ state: 'open' });
  });

  it('shows null for a connection whose agent does not answer, the others as reported', async () => {
    const { controller } = catalog(async (id) => {
      if (id === 'crm') throw new Error('no agent answered');
      return report(id, 'half-open');
    });
    const connections = await controller.connections();
    expect(connections.map((c) => c.breaker?.state ?? null)).toEqual(['half-open', null, null]);
  });
});

import { connect, DiscardPolicy, nkeyAuthenticator, nkeys, type NatsConnection } from 'nats';
import { Pool } from 'pg';
import { ORDERS_DLQ_STREAM, ORDERS_STREAM } from '@prov/messaging';
import { type RunningSystem, startSystem, waitFor } from '@prov/testing';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(420_000);

/**
 * The engine on a three-node JetStream cluster (the generated cluster configuration, on
 * loopback): the order streams have three replicas and bounds; the node leading PROV_ORDERS is
 * stopped in the middle of a burst of requests and started again, and no order is lost or
 * written twice.
 */
describe('on a three-node NATS cluster', () => {
  const observer = nkeys.createUser();
  let system: RunningSystem;
  let flow: Flow;
  let nc: NatsConnection;

  beforeAll(async () => {
    system = await startSystem({
      natsCluster: true,
      roleModel: writeFastRoleModel(),
      busObserverNkey: observer.getPublicKey(),
      startTimeoutMs: 180_000,
    });
    flow = new Flow(system);
    nc = await connect({
      servers: system.natsUrl.split(','),
      name: 'cluster-observer',
      authenticator: nkeyAuthenticator(observer.getSeed()),
    });
  });

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  it('keeps three bounded replicas of the order streams', async () => {
    const jsm = await nc.jetstreamManager();
    const orders = await jsm.streams.info(ORDERS_STREAM);
    expect(orders.config.num_replicas).toBe(3);
    expect(orders.config.discard).toBe(DiscardPolicy.New);
    expect(orders.config.max_msgs).toBeGreaterThan(0);
    expect(orders.config.max_bytes).toBeGreaterThan(0);
    expect(orders.config.duplicate_window).toBe(120_000 * 1_000_000);
    const deadLetters = await jsm.streams.info(ORDERS_DLQ_STREAM);
    expect(deadLetters.config.num_replicas).toBe(3);
    expect(deadLetters.config.max_msgs).toBeGreaterThan(0);
    expect(orders.cluster?.replicas?.length).toBe(2);
  });

  it('loses no order and writes none twice when the stream leader stops mid-run and comes back', async () => {
    const jsm = await nc.jetstreamManager();
    const identities = await Promise.all(Array.from({ length: 30 }, () => flow.identity('cluster')));
    const assignments: string[] = [];
    let sent = 0;
    const sender = async () => {
      while (sent < identities.length) {
        const identity = identities[sent++];
        // A request may meet the bus while it elects a new leader: 503, and the same request again.
        const response = await waitFor(
          () =>
            flow.requester.post('/api/assignments', {
              body: { identityId: identity, entitlementId: 'hr_app_reader' },
            }),
          {
            until: (r) => r.status === 202 || r.status === 200,
            timeoutMs: 60_000,
            intervalMs: 250,
          },
        );
        assignments.push(response.body.assignmentId);
      }
    };
    const senders = Promise.all(Array.from({ length: 4 }, sender));
    await waitFor(() => sent, {
      until: (n) => n >= identities.length / 3,
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const leader = (await jsm.streams.info(ORDERS_STREAM)).cluster?.leader ?? 'prov-nats-0';
    const index = Number(leader.replace('prov-nats-', ''));
    await system.stopNatsNode(index);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the node stays down for a while
    await system.startNatsNode(index);
    await senders;

    expect(new Set(assignments).size).toBe(identities.length);
    await waitFor(
      async () => {
        const states = await Promise.all(assignments.map((id) => flow.assignment(id)));
        return states.filter((a) => a?.provisioningState !== 'Executed').length;
      },
      {
        until: (left) => left === 0,
        timeoutMs: 240_000,
        intervalMs: 1000,
        description: `every order to be Executed (stopped ${leader})`,
      },
    );
    const pool = new Pool({ connectionString: system.databaseUrl });
    try {
      const duplicates = await pool.query(
        `SELECT stream_name, event_type, count(*) AS n FROM es.events
          WHERE stream_name = ANY($1::text[]) AND event_type IN ('ProvisioningOrderGenerated', 'ProvisioningOrderExecuted')
          GROUP BY stream_name, event_type HAVING count(*) > 1`,
        [assignments.map((id) => `assignment-${id}`)],
      );
      expect(duplicates.rows).toEqual([]);
    } finally {
      await pool.end();
    }
    const hr = new Pool({ connectionString: system.hrAppDatabaseUrl });
    try {
      const accounts = await hr.query(
        'SELECT count(*)::int AS n FROM hr_app.accounts WHERE account_key = ANY($1::text[])',
        [identities],
      );
      expect(accounts.rows[0].n).toBe(identities.length);
    } finally {
      await hr.end();
    }
    // The work queue drained: nothing left behind. (A fresh connection: the first may still be
    // reconnecting from the node that was stopped.)
    const after = await connect({
      servers: system.natsUrl.split(','),
      name: 'cluster-observer-2',
      authenticator: nkeyAuthenticator(observer.getSeed()),
    });
    try {
      const afterJsm = await after.jetstreamManager({ timeout: 15_000 });
      await waitFor(async () => (await afterJsm.streams.info(ORDERS_STREAM)).state.messages, {
        until: (n) => n === 0,
        timeoutMs: 60_000,
      });
    } finally {
      await after.close();
    }
  });
});

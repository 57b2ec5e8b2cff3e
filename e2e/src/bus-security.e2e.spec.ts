import { connect, type NatsConnection, nkeys } from 'nats';
import { commandKeys, generateCommandKeyPair, signCommand } from '@prov/messaging';
import { repositoryRoot, type RunningSystem, spawnService, startSystem } from '@prov/testing';
import { connectAs, rawCommand, refusal } from './bus-client';
import { Flow } from './flow-helpers';

jest.setTimeout(180_000);

const APPROVE = 'prov.cmd.review.approve';
const VIOLATION = 'PERMISSIONS_VIOLATION';

/**
 * The bus admits only the services, each with least privilege, and every command carries a
 * verified caller (ADR 0010): the services run as processes on the authenticated bus, and the
 * tests act with the credentials an attacker might have stolen.
 */
describe('the bus and signed commands, end to end', () => {
  let system: RunningSystem;
  let flow: Flow;
  const connections: NatsConnection[] = [];
  const as = async (identity: string, jetstream = false) => {
    const nc = await connectAs(system.natsUrl, system.bus.identities[identity], jetstream);
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    // agent-ldap: an agent of corp_ldap only, whose credentials the tests use; `agent` serves both.
    system = await startSystem({ busAgents: [{ identity: 'agent-ldap', connections: ['corp_ldap'] }] });
    flow = new Flow(system);
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    await system?.stop();
  });

  it('a service without its credentials stops at start, naming what is missing', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: system.natsUrl,
      DATABASE_URL: system.databaseUrl,
    };
    for (const name of [
      'BUS_IDENTITY',
      'NATS_NKEY_SEED',
      'NATS_JETSTREAM_NKEY_SEED',
      'COMMAND_SIGNING_KEY',
      'COMMAND_SIGNERS',
    ])
      delete env[name];
    const child = spawnService(repositoryRoot(), 'orders', env, ['ignore', 'ignore', 'pipe']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('start failed');
    expect(stderr).toContain("NATS_NKEY_SEED is required: the nkey seed (SU...) of the NATS user 'orders'");
    expect(stderr).toContain('NATS_JETSTREAM_NKEY_SEED is required for orders');
    expect(stderr).toContain('COMMAND_SIGNING_KEY is required');
  });

  it('a wrong setting stops the start, naming the variable and the rule (TIMER_INTERVAL_MS=abc)', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...system.bus.env('orders'),
      NATS_URL: system.natsUrl,
      DATABASE_URL: system.databaseUrl,
      TIMER_INTERVAL_MS: 'abc',
      HEALTH_PORT: '-1',
    };
    const child = spawnService(repositoryRoot(), 'orders', env, ['ignore', 'ignore', 'pipe']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    const line = JSON.parse(
      stderr
        .trim()
        .split('\n')
        .find((l) => l.includes('start failed'))!,
    );
    // The loggers' shape (ADR 0023): every line of every service parses the same way.
    expect(line).toMatchObject({ level: 'fatal', context: 'orders', message: { msg: 'start failed' } });
    expect(line.message.error).toContain(
      "TIMER_INTERVAL_MS must be an integer from 10 to 86400000 (milliseconds), got 'abc'",
    );
    expect(line.message.error).toContain(
      "HEALTH_PORT must be an integer from 0 to 65535 (TCP port, 0: none), got '-1'",
    );
  });

  it('refuses a client without credentials, or with a key it does not know', async () => {
    await expect(refusal(connect({ servers: system.natsUrl, reconnect: false }))).resolves.toBe(
      'AUTHORIZATION_VIOLATION',
    );
    const stranger = {
      ...system.bus.identities.gateway,
      nkeySeed: new TextDecoder().decode(nkeys.createUser().getSeed()),
    };
    await expect(refusal(connectAs(system.natsUrl, stranger, false, false))).resolves.toBe(
      'AUTHORIZATION_VIOLATION',
    );
  });

  it("an agent's credentials reach its own connection's orders and no other's", async () => {
    const nc = await as('agent-ldap');
    const jsm = await nc.jetstreamManager();
    await expect(jsm.consumers.info('PROV_ORDERS', 'prov-orders-corp_ldap')).resolves.toMatchObject({
      name: 'prov-orders-corp_ldap',
    });
    await expect(refusal(jsm.consumers.info('PROV_ORDERS', 'prov-orders-hr_app'))).resolves.toBe(VIOLATION);
    const stolen = await nc.jetstream().consumers.get('PROV_ORDERS', 'prov-orders-corp_ldap');
    expect(stolen).toBeDefined();
    await expect(
      refusal(
        nc.request('$JS.API.CONSUMER.MSG.NEXT.PROV_ORDERS.prov-orders-hr_app', undefined, { timeout: 5000 }),
      ),
    ).resolves.toBe(VIOLATION);
    // Its own consumer name, but another connection's filter: the create subject names the filter.
    await expect(
      refusal(
        jsm.consumers.add('PROV_ORDERS', {
          durable_name: 'prov-orders-corp_ldap',
          filter_subject: 'prov.orders.hr_app',
        }),
      ),
    ).resolves.toBe(VIOLATION);
    await expect(
      refusal(
        jsm.consumers.add('PROV_ORDERS', { durable_name: 'mine', filter_subject: 'prov.orders.hr_app' }),
      ),
    ).resolves.toBe(VIOLATION);
    // Nor can it read orders or anybody's replies by subscribing.
    for (const subject of ['prov.orders.hr_app', '_INBOX.gateway.>', '_INBOX.agent.>', 'prov.cmd.review.>']) {
      const sub = nc.subscribe(subject);
      await expect(
        refusal(
          (async () => {
            for await (const _ of sub) return;
          })(),
        ),
      ).resolves.toBe(VIOLATION);
    }
  });

  it('nobody but the orders service publishes orders', async () => {
    for (const identity of ['gateway', 'requests', 'review', 'orders', 'projector', 'agent', 'agent-ldap']) {
      const nc = await as(identity);
      await expect(refusal(nc.request('prov.orders.hr_app', undefined, { timeout: 5000 }))).resolves.toBe(
        VIOLATION,
      );
    }
    const ordersJs = await as('orders', true);
    await expect((await ordersJs.jetstreamManager()).streams.info('PROV_ORDERS')).resolves.toMatchObject({
      config: { name: 'PROV_ORDERS' },
    });
  });

  it('an agent may send its reports and no other command', async () => {
    const nc = await as('agent-ldap');
    for (const subject of [
      APPROVE,
      'prov.cmd.requests.request-assignment',
      'prov.cmd.projector.replay',
      'prov.cmd.orders.start-complete-job',
    ]) {
      await expect(refusal(nc.request(subject, undefined, { timeout: 5000 }))).resolves.toBe(VIOLATION);
    }
    // The report subject is open to it, but an unsigned report is refused by orders.
    const reply = await rawCommand(nc, 'prov.cmd.orders.report', { actor: 'agent' });
    expect(reply.err).toMatchObject({ code: 'CommandRefused', status: 401, details: { reason: 'unsigned' } });
  });

  it('refuses forged, expired, tampered, replayed and unauthorised commands, and nothing changes', async () => {
    const assignmentId = await flow.request(await flow.identity('forged'), 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    const approve = {
      assignmentId,
      orderId: waiting.currentOrder.orderId as string,
      actor: 'mallory',
      comment: 'forged',
    };
    const gateway = system.bus.identities.gateway;
    const gatewayKeys = commandKeys('gateway', gateway.signingKey, {});
    const nc = await as('gateway');
    const refused = async (token: string | undefined, body: unknown = approve) =>
      (await rawCommand(nc, APPROVE, body, token)).err;

    expect(await refused(undefined)).toMatchObject({ status: 401, details: { reason: 'unsigned' } });
    const forger = commandKeys('gateway', generateCommandKeyPair().privateKey, {});
    expect(await refused(await signCommand(forger, { subject: APPROVE, body: approve }))).toMatchObject({
      status: 401,
      details: { reason: 'invalid' },
    });
    const stale = await signCommand(gatewayKeys, {
      subject: APPROVE,
      body: approve,
      now: Date.now() - 3_600_000,
    });
    expect(await refused(stale)).toMatchObject({ status: 401, details: { reason: 'expired' } });
    const signedForAlice = await signCommand(gatewayKeys, {
      subject: APPROVE,
      body: { ...approve, actor: 'alice' },
    });
    expect(await refused(signedForAlice)).toMatchObject({ status: 401, details: { reason: 'tampered' } });
    const agentKeys = commandKeys('agent-ldap', system.bus.identities['agent-ldap'].signingKey, {});
    const byAgent = { ...approve, actor: 'agent-ldap' };
    expect(
      await refused(await signCommand(agentKeys, { subject: APPROVE, body: byAgent }), byAgent),
    ).toMatchObject({ status: 403, details: { reason: 'forbidden' } });

    expect((await flow.assignment(assignmentId)).provisioningState).toBe('AwaitingApproval');
    expect(await flow.historyTypes(assignmentId)).toEqual([
      'AssignmentRequested',
      'ProvisioningOrderGenerated',
    ]);

    // A genuine command passes once; the same message again is a replay.
    const genuine = { ...approve, actor: 'reviewer-1', comment: 'ok' };
    const token = await signCommand(gatewayKeys, { subject: APPROVE, body: genuine });
    expect((await rawCommand(nc, APPROVE, genuine, token)).err).toBeUndefined();
    expect(await refused(token, genuine)).toMatchObject({ status: 401, details: { reason: 'replayed' } });
    await flow.waitForState(assignmentId, 'Executed');
    const history = await flow.history(assignmentId);
    expect(
      history.filter((e) => e.type === 'ProvisioningOrderApproved').map((e) => e.metadata.actor),
    ).toEqual(['reviewer-1']);
    expect(system.logs('review')).toMatch(/command refused.*unsigned/);
  });
});

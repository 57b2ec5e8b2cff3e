import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsConnection, connect } from 'nats';
import {
  RunningNatsServer,
  freePort,
  startNatsServer,
  stopProcess,
  testNatsUrl,
  track,
  waitForPort,
} from '@prov/testing';
import { NatsServerRequirementError, assertNatsServer } from './assert-nats-server';
import { OrderConsumer } from './order-consumer';
import { OrderEnvelope } from './order-envelope';
import { OrderPublisher } from './order-publisher';
import { ensureOrdersStreams } from './orders-streams';
import { eventually, order, recordingLogger, uniqueConnectionId } from '../testing/order-queue-helpers';

jest.setTimeout(60_000);

describe('assertNatsServer', () => {
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
  });

  afterAll(async () => {
    await nc?.close();
  });

  it('accepts the test server (2.9 with JetStream)', async () => {
    const facts = await assertNatsServer(nc);
    expect(facts.version).toMatch(/^2\.\d+\.\d+/);
    expect(facts.jetstream).toBe(true);
  });

  it('names the version found and the one needed when the server is too old', async () => {
    const version = nc.info!.version;
    const rejection = assertNatsServer(nc, { minVersion: '99.0.0' });
    await expect(rejection).rejects.toThrow(NatsServerRequirementError);
    await expect(rejection).rejects.toThrow(
      `is version ${version}, but the provisioning engine needs nats-server >= 99.0.0 with JetStream`,
    );
  });

  it('refuses a minVersion that is not a version', async () => {
    await expect(assertNatsServer(nc, { minVersion: 'latest' })).rejects.toThrow(/not a version like 2.9.0/);
  });

  it('says that JetStream is missing on a server started without -js', async () => {
    const port = await freePort();
    const child = track(
      spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: true }),
    );
    const plain = await (async () => {
      await waitForPort(port);
      return connect({ servers: `nats://127.0.0.1:${port}` });
    })();
    try {
      await expect(assertNatsServer(plain)).rejects.toThrow(
        /has no JetStream for this account .*start nats-server with -js/,
      );
      await expect(assertNatsServer(plain, { jetstream: false })).resolves.toMatchObject({
        jetstream: false,
      });
    } finally {
      await plain.close();
      await stopProcess(child);
    }
  });
});

describe('OrderConsumer across a NATS restart', () => {
  const storeDir = mkdtempSync(join(tmpdir(), 'prov-messaging-restart-'));
  let server: RunningNatsServer;
  let nc: NatsConnection;
  let consumer: OrderConsumer;

  afterAll(async () => {
    await consumer?.stop({ graceMs: 100 });
    await nc?.close();
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('keeps pulling after the server went away and came back', async () => {
    server = await startNatsServer({ storeDir });
    const port = server.port;
    nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await ensureOrdersStreams(await nc.jetstreamManager());
    const connectionId = uniqueConnectionId('restart');
    const handled: string[] = [];
    const logger = recordingLogger();
    consumer = new OrderConsumer(nc, {
      connectionId,
      handler: async (o: OrderEnvelope) => void handled.push(o.orderId),
      pullExpiresMs: 1000,
      logger,
    });
    await consumer.start();
    const publisher = new OrderPublisher(nc.jetstream());
    const before = order(connectionId, 'before');
    await publisher.publish(connectionId, before);
    await eventually(() => handled.length === 1, 'the order before the restart');

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    server = await startNatsServer({ port, storeDir });
    await eventually(() => !nc.isClosed() && nc.info !== undefined, 'the reconnect');

    const after = order(connectionId, 'after');
    await eventually(
      () =>
        publisher.publish(connectionId, after).then(
          () => true,
          () => false,
        ),
      'a publish on the restarted server',
      20_000,
    );
    await eventually(() => handled.includes(after.orderId), 'the order after the restart', 20_000);
    expect(handled).toEqual([before.orderId, after.orderId]);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as LdapClient } from 'ldapts';
import { connect, type MsgHdrs, type NatsConnection, nkeyAuthenticator, nkeys } from 'nats';
import { Client as PgClient } from 'pg';
import {
  type RunningSambaAdDc,
  type RunningScimServer,
  type RunningSystem,
  SERVICE_APPS,
  startSambaAdDc,
  startScimServer,
  startSystem,
  waitFor,
} from '@prov/testing';
import { writeDirectoryRoleModel } from './directory-fixture';
import { connectAs } from './bus-client';
import { Flow } from './flow-helpers';

jest.setTimeout(300_000);

function headersText(headers: MsgHdrs | undefined): string {
  return headers
    ? [...headers.keys()].map((key) => `${key}: ${headers.values(key).join(',')}`).join('; ')
    : '';
}

/** Every row of every table of the engine's database (event store, read models, checkpoints), as text. */
async function everyRow(databaseUrl: string): Promise<string[]> {
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const rows: string[] = [];
    for (const { schema, name } of tables.rows) {
      const result = await client.query<{ row: string }>(
        `SELECT t::text AS row FROM "${schema}"."${name}" t`,
      );
      rows.push(...result.rows.map((r) => `${schema}.${name}: ${r.row}`));
    }
    return rows;
  } finally {
    await client.end();
  }
}

/** The streams the engine keeps: reading them all must include these. */
const ENGINE_STREAMS = ['PROV_ORDERS', 'PROV_ORDERS_DLQ'];

/** Every message still held by every JetStream stream (the orders, their dead letters, ...), data and headers. */
async function everyStoredMessage(nc: NatsConnection): Promise<string[]> {
  const jsm = await nc.jetstreamManager();
  const messages: string[] = [];
  const names: string[] = [];
  for await (const stream of jsm.streams.list()) {
    names.push(stream.config.name);
    const { first_seq: first, last_seq: last } = stream.state;
    for (let seq = first; seq > 0 && seq <= last; seq++) {
      const message = await jsm.streams.getMessage(stream.config.name, { seq }).catch(() => undefined);
      if (message)
        messages.push(`${stream.config.name}#${seq}: ${message.string()} ${headersText(message.header)}`);
    }
  }
  expect(names).toEqual(expect.arrayContaining(ENGINE_STREAMS));
  return messages;
}

/** The forms a password could take in text: as is, JSON-escaped, base64 (of UTF-8, and of AD's UTF-16LE). */
function formsOf(password: string): string[] {
  return [
    password,
    JSON.stringify(password).slice(1, -1),
    Buffer.from(password).toString('base64'),
    Buffer.from(`"${password}"`, 'utf16le').toString('base64'),
  ];
}

/**
 * A password written into Active Directory (Samba AD DC) by the whole system, every service a
 * process: the agent generates it when it creates the account and hands it over in the delivery
 * directory; it works in the directory, and it is nowhere else: not in the event store or the
 * read models, in no NATS message (a wiretap on every subject) nor JetStream stream (dead letters
 * included), in no service's log and in no API response.
 *
 * The bus admits only its users (ADR 0010): the wiretap and the stream reader are the harness's
 * test-only observer (option `busObserverNkey`), which may subscribe to every subject and read
 * the streams, and publish nothing else.
 */
describe('secrets never at rest in the log', () => {
  let dc: RunningSambaAdDc;
  let scim: RunningScimServer;
  let system: RunningSystem;
  let flow: Flow;
  let tap: NatsConnection;
  let reader: NatsConnection;
  let delivery: string;
  const tapped: string[] = [];

  beforeAll(async () => {
    delivery = mkdtempSync(join(tmpdir(), 'prov-password-delivery-'));
    const [directory, wiki] = await Promise.allSettled([startSambaAdDc(), startScimServer()]);
    if (directory.status === 'fulfilled') dc = directory.value;
    if (wiki.status === 'fulfilled') scim = wiki.value;
    if (directory.status === 'rejected') throw directory.reason; // afterAll still stops the other
    if (wiki.status === 'rejected') throw wiki.reason;
    const observer = nkeys.createUser();
    system = await startSystem({
      busObserverNkey: observer.getPublicKey(),
      roleModel: writeDirectoryRoleModel(dc, scim),
      serviceEnv: {
        agent: {
          CORP_AD_PASSWORD: dc.adminPassword,
          WIKI_SCIM_TOKEN: scim.token,
          PASSWORD_DELIVERY_DIR: delivery,
          // The dead-letter case below needs AD's failures to reach the dead letter: with the
          // circuit breaker at its default the order would wait Pending instead (ADR 0024).
          AGENT_BREAKER_FAILURES: '1000',
        },
      },
    });
    flow = new Flow(system);
    const asObserver = (name: string) =>
      connect({ servers: system.natsUrl, name, authenticator: nkeyAuthenticator(observer.getSeed()) });
    tap = await asObserver('wiretap');
    reader = await asObserver('stream-reader');
    tap.subscribe('>', {
      callback: (_error, message) =>
        tapped.push(`${message.subject}: ${message.string()} ${headersText(message.headers)}`),
    });
    await tap.flush(); // the server has the subscription before the test's traffic
  });

  afterAll(async () => {
    await tap?.close();
    await reader?.close();
    await system?.stop();
    await Promise.all([dc?.stop(), scim?.stop()]);
    rmSync(delivery, { recursive: true, force: true });
  });

  it('an AD password made by the agent works, reaches the person, and is nowhere in the log', async () => {
    const identity = await flow.identity('secret');
    const assignmentId = await flow.request(identity, 'ad_staff');
    await flow.waitForState(assignmentId, 'Executed', 60_000);
    await flow.completeJob(); // synchronization reads the account back: the password is not in what it reads
    await flow.waitForState(assignmentId, 'Verified');

    const handedOver = JSON.parse(
      readFileSync(
        join(delivery, 'corp_ad', `${encodeURIComponent(identity).replace(/\./g, '%2E')}.json`),
        'utf8',
      ),
    );
    expect(handedOver).toMatchObject({ connectionId: 'corp_ad', accountKey: identity, identityId: identity });
    const password = handedOver.password as string;
    expect(password).toHaveLength(20);
    const ldap = new LdapClient({ url: dc.ldapsUrl, tlsOptions: { rejectUnauthorized: false } });
    await ldap.bind(`${identity}@${dc.realm.toLowerCase()}`, password); // the directory has it
    await ldap.unbind();

    const api = [
      await flow.requester.get(`/api/assignments/${assignmentId}`),
      await flow.requester.get(`/api/assignments/${assignmentId}/history`),
      await flow.requester.get(`/api/identities/${identity}/permissions`),
      await flow.admin.get('/api/audit/events?stream=assignment-&limit=1000'),
    ].map((r) => `${r.status} ${JSON.stringify(r.body)}`);
    const places: Record<string, string[]> = {
      'the database (event store, read models)': await everyRow(system.databaseUrl),
      'the JetStream streams': await everyStoredMessage(reader),
      'the NATS traffic': tapped,
      'the service logs': SERVICE_APPS.map((app) => system.logs(app)),
      'the API responses': api,
    };
    // Each place is searched where the account's traces are (so the search looks at the right
    // things), and holds no form of the password.
    for (const [place, texts] of Object.entries(places)) {
      if (place !== 'the JetStream streams')
        expect({ place, traced: texts.some((t) => t.includes(identity)) }).toEqual({ place, traced: true });
      for (const form of formsOf(password)) {
        expect({ place, leaks: texts.filter((t) => t.includes(form)).map((t) => t.slice(0, 300)) }).toEqual({
          place,
          leaks: [],
        });
      }
    }
    await waitFor(async () => tapped.length, {
      until: (n) => n > 0,
      description: 'the wiretap to have heard the traffic',
    });
  });

  it('an order dead-lettered while AD is down holds no password, in the stream or on the wire', async () => {
    await dc.stop(); // every delivery fails as transient: after the second, the dead letter
    const identity = await flow.identity('deadletter');
    const assignmentId = await flow.request(identity, 'ad_staff');
    const errored = await flow.waitForState(assignmentId, 'Errored', 90_000);
    expect(errored.currentOrder.lastError).toMatch(/gave up after repeated failures/);
    const stored = (await everyStoredMessage(reader)).filter(
      (m) => m.startsWith('PROV_ORDERS_DLQ#') && m.includes(identity),
    );
    expect(stored).toHaveLength(1);
    // What orders' JetStream user (the streams' owner) sees of the dead-letter stream agrees.
    const owner = await connectAs(system.natsUrl, system.bus.identities.orders, true);
    const dlq = await (await owner.jetstreamManager()).streams.info('PROV_ORDERS_DLQ');
    await owner.close();
    expect(dlq.state.messages).toBeGreaterThanOrEqual(1);
    const onTheWire = tapped.filter((m) => /^prov\.(dlq\.)?orders\./.test(m) && m.includes(identity));
    expect(onTheWire.length).toBeGreaterThanOrEqual(1);
    for (const message of [...stored, ...onTheWire]) expect(message).not.toMatch(/"password"/i);
    expect(JSON.stringify(await flow.history(assignmentId))).not.toMatch(/"password"/i);
  });
});

import { freePort, type RunningScimServer } from '@prov/testing';
import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { connection, failure, order, outOfBand, startWiki } from './scim-test-fixture';
import { ScimConnector } from './scim-connector';

// Runs against the real scimmy-based SCIM server of @prov/testing, started once for this file:
// what the connector refuses and how it reports a service that fails, is slow or is down
// (permanent or transient). Accounts and memberships are in scim-connector.int.spec.ts.

describe('ScimConnector on the scimmy SCIM server', () => {
  let server: RunningScimServer;
  let connector: ScimConnector;
  let settings: Record<string, unknown>;
  const { usersNamed } = outOfBand(() => server);

  beforeAll(async () => {
    ({ server, settings, connector } = await startWiki());
  });

  afterAll(async () => {
    await connector?.close();
    await server?.stop();
  });

  it('refuses attributes it cannot map, naming them', async () => {
    const error = await failure(connector.apply(order('Added', 'x', undefined, { shoeSize: 42 })));
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect(error.message).toMatch(/attribute shoeSize has no SCIM mapping/);
  });

  it("reports a wrong token as permanent, with the service's detail and without the token", async () => {
    const token = 'wrong-token-0123456789';
    const wrong = new ScimConnector({ ...connection, settings }, { WIKI_SCIM_TOKEN: token });
    try {
      const error = await failure(wrong.apply(order('Added', 'eve', 'readers')));
      expect(error).toBeInstanceOf(PermanentConnectorError);
      expect(error.message).toBe('SCIM GET /Users answered 401: Authorization failure');
      expect(error.message).not.toContain(token);
      const result = await wrong.test();
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/401: Authorization failure/);
    } finally {
      await wrong.close();
    }
  });

  it('reports a 503 of the service as transient, and succeeds on the retry', async () => {
    await server.failNext(1, 503);
    const added = order('Added', 'dave', 'readers');
    const error = await failure(connector.apply(added));
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect(error.message).toMatch(/answered 503: injected failure/);
    await connector.apply({ ...added, attempt: 2 });
    expect(await usersNamed('dave')).toHaveLength(1);
  });

  it('reports a request that exceeds timeoutMs as transient', async () => {
    await server.delayNext(1, 3000);
    const error = await failure(connector.readAll());
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect(error.message).toBe('SCIM GET /Users timed out after 2000 ms');
  });

  it('abandons requests in flight when closed, as transient', async () => {
    const closing = new ScimConnector({ ...connection, settings }, { WIKI_SCIM_TOKEN: server.token });
    await server.delayNext(1, 1000);
    const reading = failure(closing.readAll());
    await new Promise((r) => setTimeout(r, 100));
    await closing.close();
    const error = await reading;
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect(error.message).toBe('SCIM GET /Users was abandoned: the connector was closed');
    await expect(closing.apply(order('Added', 'late'))).rejects.toThrow(TransientConnectorError);
  });

  it('reports a service that is down as transient, and fails its connection test', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/scim/v2`; // nothing listens there
    const down = new ScimConnector(
      { ...connection, settings: { ...settings, baseUrl } },
      { WIKI_SCIM_TOKEN: 't0ken' },
    );
    try {
      const error = await failure(down.apply(order('Added', 'eve', 'readers')));
      expect(error).toBeInstanceOf(TransientConnectorError);
      expect(error.message).toMatch(/could not reach .*ECONNREFUSED/);
      const result = await down.test();
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/ECONNREFUSED/);
    } finally {
      await down.close();
    }
  });
});

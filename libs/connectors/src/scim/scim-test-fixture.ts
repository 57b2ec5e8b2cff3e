import type { RoleModelConnection } from '@prov/role-model';
import { startScimServer, type RunningScimServer } from '@prov/testing';
import { orderBuilder } from '../testing/order-builder';
import { ScimConnector } from './scim-connector';

/** What the ScimConnector specs share: the connection, its orders and the real server. */

export const connection: RoleModelConnection = {
  id: 'wiki',
  name: 'Wiki (SCIM)',
  connector: 'scim',
  fulfillment: 'automatic',
  settings: { baseUrl: 'set in beforeAll', tokenEnv: 'WIKI_SCIM_TOKEN', timeoutMs: 2000, pageSize: 2 },
};

export const order = orderBuilder('wiki', 'wiki_account');

export const failure = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => Promise.reject(new Error('expected a rejection')),
    (e: Error) => e,
  );

/** The real scimmy-based SCIM server of @prov/testing, and a connector pointed at it. */
export async function startWiki(): Promise<{
  server: RunningScimServer;
  settings: Record<string, unknown>;
  connector: ScimConnector;
}> {
  const server = await startScimServer();
  const settings = { ...connection.settings, baseUrl: server.baseUrl };
  const connector = new ScimConnector({ ...connection, settings }, { WIKI_SCIM_TOKEN: server.token });
  return { server, settings, connector };
}

/** Talks to the server directly, as an administrator of the target would (out of band). */
export function outOfBand(server: () => RunningScimServer) {
  async function scim(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${server().baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${server().token}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  async function usersNamed(userName: string): Promise<Array<Record<string, unknown>>> {
    const list = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    return list.Resources as Array<Record<string, unknown>>;
  }

  async function group(displayName: string): Promise<{ id: string; members: Array<{ value: string }> }> {
    const list = await scim('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`);
    const [found] = list.Resources as Array<{ id: string; members?: Array<{ value: string }> }>;
    return { id: found.id, members: found.members ?? [] };
  }

  return { scim, usersNamed, group };
}

import { ScimConnector } from '@prov/connectors';
import { waitFor } from '@prov/testing';
import { values } from './directory-fixture';
import { ENTERPRISE, type InboundSystem, PATCH_OP, scimUserBody } from './inbound-fixture';

/**
 * Inbound SCIM through the lifecycle: a mover's directory account follows the department, a
 * leaver's access goes, and the engine's own outbound SCIM connector is a client like any other.
 * Registered by inbound-scim.e2e.spec.ts, inside its describe and on its system.
 */
export function scimLifecycleFlows({ bed, run, entry }: InboundSystem): void {
  it('mover: PATCH of the department moves the directory account into the birthright group; a stale ETag is 412', async () => {
    const { slapd, flow, scim } = bed;
    const login = `sm${run}`;
    const { body: user } = await scim.request('POST', '/Users', scimUserBody(login));
    await flow.request(user.id, 'ldap_staff');
    await waitFor(() => entry(login), {
      until: (e) => e?.departmentNumber === 'IT',
      timeoutMs: 30_000,
      description: 'the LDAP account',
    });
    const stale = user.meta.version;
    const moved = await scim.request(
      'PATCH',
      `/Users/${user.id}`,
      {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Finance' }],
      },
      { 'if-match': stale },
    );
    expect(moved.status).toBe(200);
    expect(moved.body[ENTERPRISE].department).toBe('Finance');
    expect(moved.headers.get('etag')).not.toBe(stale);
    const following = await waitFor(() => entry(login), {
      until: (e) =>
        e?.departmentNumber === 'Finance' && values(e, 'memberOf').includes(`cn=finance,${slapd.groupsDn}`),
      timeoutMs: 30_000,
      description: 'the account to follow the department and the birthright group',
    });
    expect(values(following, 'memberOf').sort()).toEqual(
      [`cn=finance,${slapd.groupsDn}`, `cn=staff,${slapd.groupsDn}`].sort(),
    );

    const conflict = await scim.request(
      'PATCH',
      `/Users/${user.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Late' }] },
      { 'if-match': stale },
    );
    expect(conflict.status).toBe(412);
    const put = await scim.request(
      'PUT',
      `/Users/${user.id}`,
      scimUserBody(login, { department: 'Finance', familyName: 'Moss' }),
      { 'if-match': moved.headers.get('etag')! },
    );
    expect(put).toMatchObject({ status: 200, body: { name: { familyName: 'Moss' } } });
  });

  it('leaver: active "False" (as Entra ID sends it) deactivates and the access goes; DELETE hides the user', async () => {
    const { flow, scim } = bed;
    const login = `sl${run}`;
    const { body: user } = await scim.request('POST', '/Users', scimUserBody(login));
    const assignmentId = await flow.request(user.id, 'ldap_staff');
    await flow.waitForState(assignmentId, 'Executed', 30_000);
    const left = await scim.request('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(left).toMatchObject({ status: 200, body: { active: false } });
    const revoked = await waitFor(() => flow.assignment(assignmentId), {
      until: (a) => a.currentOrder?.changeType === 'Deleted' && a.provisioningState === 'Executed',
      timeoutMs: 30_000,
      description: 'the leaver revocation to be executed',
    });
    expect(revoked.workflowState).toBe('Revoked');
    expect(await entry(login)).toBeUndefined();

    const other = (await scim.request('POST', '/Users', scimUserBody(`sd${run}`))).body;
    expect((await scim.request('DELETE', `/Users/${other.id}`)).status).toBe(204);
    expect((await scim.request('GET', `/Users/${other.id}`)).status).toBe(404);
    expect((await flow.requester.get(`/api/identities/${other.id}`)).body.active).toBe(false);
  });

  it("the engine's outbound SCIM connector, pointed at this /scim/v2, is a second client: joiner, mover, leaver", async () => {
    const { system, flow, scim } = bed;
    const connector = new ScimConnector(
      {
        id: 'peer',
        name: 'Peer engine',
        connector: 'scim',
        fulfillment: 'automatic',
        settings: { baseUrl: `${system.apiUrl}/scim/v2`, tokenEnv: 'PEER_TOKEN' },
      },
      { PEER_TOKEN: system.tokens['hr-feed'] },
    );
    try {
      expect((await connector.test()).ok).toBe(true);
      const login = `sc${run}`;
      const order = (
        changeType: 'Added' | 'Modified' | 'Deleted',
        attributes: Record<string, unknown>,
        n: number,
      ) => ({
        orderId: `o-${n}`,
        attempt: 1,
        changeType,
        connectionId: 'peer',
        resourceTypeId: 'peer_account',
        identityId: `upstream-${login}`,
        entitlementId: 'peer_only',
        changes: { accountKey: login, attributes },
      });
      await connector.apply(
        order(
          'Added',
          { givenName: 'Cy', familyName: 'Peer', email: `${login}@example.test`, department: 'IT' },
          1,
        ),
      );
      const [created] = (
        await scim.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${login}"`)}`)
      ).body.Resources;
      expect(created).toMatchObject({ externalId: `upstream-${login}`, [ENTERPRISE]: { department: 'IT' } });
      await connector.apply(order('Modified', { department: 'Legal' }, 2));
      expect((await flow.requester.get(`/api/identities/${created.id}`)).body.department).toBe('Legal');
      await connector.apply(order('Deleted', {}, 3));
      expect((await flow.requester.get(`/api/identities/${created.id}`)).body.active).toBe(false);
      expect((await connector.readAll()).accounts.find((a) => a.accountKey === login)).toBeUndefined();
    } finally {
      await connector.close();
    }
  });
}

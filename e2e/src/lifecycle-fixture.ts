import { randomUUID } from 'node:crypto';
import { identityStreamName } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { type RunningSlapd, type RunningSystem, startSlapd, startSystem, waitFor } from '@prov/testing';
import { DirectoryAdmin, SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

export interface Permission {
  assignmentId: string;
  entitlementId: string;
  workflowState: string;
  provisioningState: string;
  currentOrder: { changeType: string } | null;
  origin: string[];
}

export interface LifecycleServers {
  slapd: RunningSlapd;
  system: RunningSystem;
  flow: Flow;
  /** The directory itself, to read what the connector wrote. */
  ldap: DirectoryAdmin;
  store: PostgresEventStore;
}

/**
 * What the identity lifecycle specs share: the whole system with the sample's corp_ldap on a real
 * slapd (started in beforeAll, stopped in afterAll: call it inside `describe`), and the steps
 * they take on an identity. `bed` holds the servers once they run.
 */
export function lifecycleFlows() {
  const bed = {} as LifecycleServers;
  let counter = 0;

  beforeAll(async () => {
    bed.slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    bed.system = await startSystem({
      roleModel: writeFastRoleModel(),
      env: { DEACTIVATION_CHECK_MS: '300' },
      serviceEnv: {
        agent: { CORP_LDAP_URL: bed.slapd.url, CORP_LDAP_PASSWORD: bed.slapd.servicePassword },
      },
    });
    bed.flow = new Flow(bed.system);
    bed.ldap = await DirectoryAdmin.connect(bed.slapd.url, bed.slapd.adminDn, bed.slapd.adminPassword);
    bed.store = await PostgresEventStore.connect(bed.system.databaseUrl);
  });

  afterAll(async () => {
    await bed.store?.close();
    await bed.ldap?.close();
    await bed.system?.stop();
    await bed.slapd?.stop();
  });

  return {
    bed,

    unique: (prefix: string) => `${prefix}${++counter}${Date.now().toString(36)}`,

    register(login: string, extra: Record<string, unknown> = {}) {
      return bed.flow.admin.post('/api/identities', {
        body: {
          id: login,
          login,
          firstName: 'Pat',
          lastName: 'Lee',
          email: `${login}@example.test`,
          department: 'IT',
          ...extra,
        },
      });
    },

    /** The person's entry in the directory, as slapd has it. */
    entry: (uid: string) =>
      bed.ldap.find(bed.slapd.peopleDn, `(uid=${uid})`, ['uid', 'sn', 'cn', 'departmentNumber', 'memberOf']),

    /**
     * The View Permissions tab. The directory read model follows the log, so a just-registered
     * identity may answer 404 for a moment on a loaded machine: wait for it to show.
     */
    async permissions(identityId: string): Promise<Permission[]> {
      const shown = await waitFor(() => bed.flow.requester.get(`/api/identities/${identityId}/permissions`), {
        until: (response) => response.status === 200,
        description: `identity ${identityId}'s permissions`,
      });
      return shown.body;
    },

    /**
     * Writes a holding event straight into the identity's stream: what a lost write, or data from
     * before holdings existed, leaves behind, and that no identity event or model change revisits.
     */
    async writeHolding(identityId: string, type: string, data: Record<string, unknown>) {
      await bed.store.appendToStream(identityStreamName(identityId), [
        {
          id: randomUUID(),
          type,
          data: { identityId, ...data, at: new Date().toISOString(), by: 'test' },
          metadata: { actor: 'test' },
        },
      ]);
    },

    /** Waits until the assignment's current order is of this change type and in this state. */
    waitForOrder(assignmentId: string, changeType: string, state: string) {
      return waitFor(() => bed.flow.assignment(assignmentId), {
        until: (a) => a.currentOrder?.changeType === changeType && a.provisioningState === state,
        timeoutMs: 30_000,
        description: `a ${changeType} order of ${assignmentId} in ${state}`,
      });
    },
  };
}

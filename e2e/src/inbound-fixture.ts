import {
  type ApiClient,
  type RunningSlapd,
  type RunningSystem,
  startSlapd,
  startSystem,
} from '@prov/testing';
import { DirectoryAdmin, SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * A SCIM client as an HR system or identity provider is: plain HTTP with application/scim+json
 * and a bearer token, nothing of the engine's code.
 */
export class ScimTestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        accept: 'application/scim+json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    };
  }
}

/** A User as Entra ID or Okta sends one: core attributes and the enterprise extension. */
export function scimUserBody(
  userName: string,
  extra: { department?: string; externalId?: string; employeeNumber?: string; familyName?: string } = {},
) {
  return {
    schemas: [CORE, ENTERPRISE],
    userName,
    ...(extra.externalId ? { externalId: extra.externalId } : {}),
    name: { givenName: 'Sam', familyName: extra.familyName ?? `Lee${userName}` },
    displayName: `Sam Lee${userName}`,
    emails: [{ value: `${userName}@example.test`, type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: {
      department: extra.department ?? 'IT',
      ...(extra.employeeNumber ? { employeeNumber: extra.employeeNumber } : {}),
    },
  };
}

/** POST /api/identities/import with the file as the raw body. */
export function importPopulation(
  client: ApiClient,
  text: string,
  query: Record<string, string> = {},
  contentType = 'text/csv',
) {
  const search = new URLSearchParams(query).toString();
  return client.post(`/api/identities/import${search ? `?${search}` : ''}`, {
    body: text,
    headers: { 'content-type': contentType },
  });
}

export interface InboundServers {
  slapd: RunningSlapd;
  system: RunningSystem;
  flow: Flow;
  /** The directory itself, to read what the connector wrote. */
  ldap: DirectoryAdmin;
  /** The feed's SCIM client of /scim/v2. */
  scim: ScimTestClient;
}

export type InboundSystem = ReturnType<typeof inboundSystem>;

/**
 * What the inbound specs share: the whole system with the sample's corp_ldap on a real slapd
 * (started in beforeAll, stopped in afterAll: call it inside `describe`). `bed` holds the servers
 * once they run; `run` makes this run's user names its own.
 */
export function inboundSystem() {
  const bed = {} as InboundServers;

  beforeAll(async () => {
    bed.slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    bed.system = await startSystem({
      roleModel: writeFastRoleModel(),
      serviceEnv: { agent: { CORP_LDAP_URL: bed.slapd.url, CORP_LDAP_PASSWORD: bed.slapd.servicePassword } },
    });
    bed.flow = new Flow(bed.system);
    bed.ldap = await DirectoryAdmin.connect(bed.slapd.url, bed.slapd.adminDn, bed.slapd.adminPassword);
    bed.scim = new ScimTestClient(`${bed.system.apiUrl}/scim/v2`, bed.system.tokens['hr-feed']);
  });

  afterAll(async () => {
    await bed.ldap?.close();
    await bed.system?.stop();
    await bed.slapd?.stop();
  });

  return {
    bed,
    run: Date.now().toString(36),
    /** The person's entry in the directory, as slapd has it. */
    entry: (uid: string) =>
      bed.ldap.find(bed.slapd.peopleDn, `(uid=${uid})`, ['uid', 'departmentNumber', 'memberOf']),
  };
}

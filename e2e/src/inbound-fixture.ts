import type { ApiClient } from '@prov/testing';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

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

import SCIMMY from 'scimmy';
import type { ScimUser } from './scim-user';

/** Where the service provider answers; SCIMMY writes it into every `meta.location`. */
export const SCIM_BASE_PATH = '/scim/v2';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
/** The most resources one list answer holds (ServiceProviderConfig `filter.maxResults`). */
export const SCIM_MAX_RESULTS = 200;

/** What the User resource's handlers reach through SCIMMY's context argument. */
export interface ScimUserStore {
  get(id: string): Promise<ScimUser>;
  put(id: string | undefined, user: Record<string, unknown>): Promise<ScimUser>;
  remove(id: string): Promise<void>;
}

/** Core User attributes the engine does not keep: left out of the schema, so the schema says exactly what is kept. */
const UNSUPPORTED_CORE = [
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'password',
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'groups',
  'entitlements',
  'roles',
  'x509Certificates',
  'name.middleName',
  'name.honorificPrefix',
  'name.honorificSuffix',
  'emails.display',
];
const UNSUPPORTED_ENTERPRISE = [
  'costCenter',
  'organization',
  'division',
  'manager.displayName',
  'manager.$ref',
];

let declared = false;

/**
 * SCIMMY's resources, schemas and configuration are process-wide: declared once, with handlers
 * that reach the gateway's store through the per-request context.
 */
export function declareScimProtocol(): typeof SCIMMY {
  if (declared) return SCIMMY;
  declared = true;
  SCIMMY.Config.set({
    patch: true,
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    sort: true,
    etag: true,
    bulk: { supported: false },
    changePassword: false,
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: "An API token of the engine (API_TOKENS) whose role is 'hr-feed' or 'admin'",
        primary: true,
      },
    ],
  });
  SCIMMY.Schemas.User.definition.truncate(...UNSUPPORTED_CORE);
  SCIMMY.Schemas.EnterpriseUser.definition.truncate(...UNSUPPORTED_ENTERPRISE);
  SCIMMY.Resources.declare(
    SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false)
      .egress((resource, ctx) => (ctx as ScimUserStore).get(resource.id!))
      .ingress((resource, instance, ctx) =>
        (ctx as ScimUserStore).put(
          resource.id,
          JSON.parse(JSON.stringify(instance)) as Record<string, unknown>,
        ),
      )
      .degress((resource, ctx) => (ctx as ScimUserStore).remove(resource.id!)),
  );
  for (const resource of [
    SCIMMY.Resources.User,
    SCIMMY.Resources.Schema,
    SCIMMY.Resources.ResourceType,
    SCIMMY.Resources.ServiceProviderConfig,
  ])
    resource.basepath(SCIM_BASE_PATH);
  return SCIMMY;
}

export { SCIMMY };

/** A SCIM error (RFC 7644 §3.12) the error filter answers as is; scimType only where the RFC names one. */
export function scimError(status: number, detail: string, scimType?: string): Error {
  return new SCIMMY.Types.Error(status, (scimType ?? null) as unknown as string, detail);
}

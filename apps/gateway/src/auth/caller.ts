import type { ApiRole } from '@prov/config';

/** Who is calling: a person signed in with OpenID Connect, or a machine with an API token. */
export interface Caller {
  role: ApiRole;
  /**
   * The name recorded on the events the caller causes: for a person their display name and
   * subject (`Rita Reviewer (rita)`), for a machine the token's configured name. Never a secret.
   */
  actor: string;
  kind?: 'person' | 'token';
}

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  caller?: Caller;
}

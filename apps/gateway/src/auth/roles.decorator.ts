import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '@prov/config';

export const ROLES_KEY = 'prov:roles';
export const PUBLIC_KEY = 'prov:public';
export const QUERY_TOKEN_KEY = 'prov:query-token';

/** The roles that may call a route; `admin` may always. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token (only health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * A route that also accepts the token as `?access_token=` (only the live-updates stream: the
 * browser's EventSource cannot send an Authorization header). Everywhere else a token in a URL
 * is refused, since URLs end up in logs and browser history.
 */
export const AllowQueryToken = () => SetMetadata(QUERY_TOKEN_KEY, true);

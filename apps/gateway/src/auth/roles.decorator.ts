import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '@prov/config';

export const ROLES_KEY = 'prov:roles';
export const PUBLIC_KEY = 'prov:public';

/** The roles that may call a route; `admin` may always. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token (only health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

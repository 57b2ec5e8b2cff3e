import type { Role } from '../api/types';

/**
 * What each role may do, mirroring the gateway's @Roles (admin may do everything). The console
 * uses it to show only what the caller may do and to fetch nothing it may not; the gateway
 * still decides (a 403 is shown as a message, never hidden).
 */
export interface Capabilities {
  readDirectory: boolean;
  requestAssignments: boolean;
  review: boolean;
  manualProvisioning: boolean;
  startJobs: boolean;
  testConnections: boolean;
  replay: boolean;
  /** The event log and its export (`GET /api/audit/events`). */
  readAuditLog: boolean;
}

export function capabilitiesOf(role: Role): Capabilities {
  const admin = role === 'admin';
  return {
    readDirectory: true,
    requestAssignments: admin || role === 'requester',
    review: admin || role === 'reviewer',
    manualProvisioning: admin || role === 'operator',
    startJobs: admin || role === 'operator',
    testConnections: admin || role === 'operator',
    replay: admin,
    readAuditLog: admin || role === 'reviewer' || role === 'operator' || role === 'auditor',
  };
}

export const ROLE_LABELS: Record<Role, string> = {
  requester: 'Requester',
  reviewer: 'Reviewer',
  operator: 'Operator',
  admin: 'Administrator',
  auditor: 'Auditor',
};

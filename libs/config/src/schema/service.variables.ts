// The configuration table in docs/operations.md is generated from these lists in this order.
import { AGENT_VARIABLES } from './agent.variables';
import { GATEWAY_VARIABLES } from './gateway.variables';
import { ORDERS_VARIABLES, REQUESTS_VARIABLES } from './orders.variables';
import type { VariableSpec } from './variable';

/** What only some services read, service by service. */
export const SERVICE_VARIABLES: readonly VariableSpec[] = [
  ...GATEWAY_VARIABLES,
  ...ORDERS_VARIABLES,
  ...REQUESTS_VARIABLES,
  ...AGENT_VARIABLES,
  {
    name: 'ROLE_MODEL_DEPLOYED_BY',
    type: 'string',
    pattern: /^.{1,200}$/u,
    rule: 'at most 200 characters (control characters are refused when read)',
    services: 'all',
    doc: 'who deployed the role model file, recorded on its version (see docs/audit.md)',
  },
];

import { ProvisioningState } from '@prov/domain';
import type { RuleTrace } from '@prov/role-model';

/** What the engine knows about one identity × entitlement, gathered by the controller. */
export interface AccessFacts {
  entitlementId: string;
  entitlementExists: boolean;
  identityActive: boolean;
  /** The birthright rules that give this entitlement, traced for the identity now. */
  rules: RuleTrace[];
  /** The assignment that gives it, if any, with its current state. */
  assignment?: {
    assignmentId: string;
    workflowState: string;
    provisioningStateCode: number;
    provisioningState: string;
    lastError?: string;
  };
}

/** Why an identity has an entitlement or not, one code per reason. */
export const ACCESS_REASON_CODES = [
  'unknown-entitlement',
  'identity-inactive',
  'no-request',
  'no-rule-holds',
  'rule-not-evaluable',
  'declined',
  'revoked',
  'awaiting-review',
  'order-errored',
  'evaluation-failed',
  'inactive',
  'in-progress',
  'provisioned',
] as const;

export interface AccessReason {
  code: (typeof ACCESS_REASON_CODES)[number];
  message: string;
}

export interface AccessAnswer {
  /** True when the access is written in the managed system (Executed or Verified). */
  has: boolean;
  reasons: AccessReason[];
}

const { Pending, Transmitted, Errored, Verified, AwaitingApproval, Inactive, Executed } = ProvisioningState;
const IN_PROGRESS: Record<number, string> = {
  [Pending]: 'Pending: waiting for the agent',
  [Transmitted]: 'Transmitted: waiting for an operator',
};

/**
 * Why an identity has an entitlement, or why not (pure). Without an assignment the reasons are
 * the rules (none holds, or one cannot be evaluated) and the absence of a request; with one, its
 * state says where the access stands (awaiting review, errored, declined, ...).
 */
export function whyAccess(facts: AccessFacts): AccessAnswer {
  if (!facts.entitlementExists) {
    return {
      has: false,
      reasons: [
        {
          code: 'unknown-entitlement',
          message: `the role model has no entitlement '${facts.entitlementId}'`,
        },
      ],
    };
  }
  const reasons: AccessReason[] = [];
  if (!facts.identityActive)
    reasons.push({
      code: 'identity-inactive',
      message: 'the identity is deactivated: nothing is granted until it is reactivated',
    });
  const a = facts.assignment;
  if (!a || a.workflowState === 'Revoked') {
    if (a) reasons.push({ code: 'revoked', message: `assignment ${a.assignmentId} was revoked` });
    else reasons.push({ code: 'no-request', message: 'nobody requested it for this identity' });
    if (facts.rules.length === 0)
      reasons.push({ code: 'no-rule-holds', message: 'no birthright rule gives this entitlement' });
    for (const rule of facts.rules) {
      if (rule.holds === false) {
        reasons.push({
          code: 'no-rule-holds',
          message: `rule ${rule.ruleId} does not hold: ${rule.expression} with ${JSON.stringify(rule.inputs)}`,
        });
      } else if (rule.holds === null) {
        reasons.push({
          code: 'rule-not-evaluable',
          message: `rule ${rule.ruleId} could not be evaluated: ${rule.error ?? 'not true/false'}`,
        });
      }
    }
    return { has: false, reasons };
  }
  const code = a.provisioningStateCode;
  if (a.workflowState === 'Declined')
    reasons.push({ code: 'declined', message: 'the provisioning review declined it' });
  else if (code === Executed || code === Verified) {
    reasons.push({
      code: 'provisioned',
      message:
        code === Verified
          ? 'written and verified by synchronization'
          : 'written; not yet verified by synchronization',
    });
    return { has: true, reasons };
  } else if (code === AwaitingApproval)
    reasons.push({ code: 'awaiting-review', message: 'the order is awaiting provisioning review' });
  else if (code === Errored)
    reasons.push({ code: 'order-errored', message: `the order errored: ${a.lastError ?? 'no message'}` });
  else if (code === ProvisioningState.Error)
    reasons.push({
      code: 'evaluation-failed',
      message: `the role model could not compute the order: ${a.lastError ?? 'no message'}`,
    });
  else if (code === Inactive)
    reasons.push({ code: 'inactive', message: 'the assignment ended before it was fulfilled' });
  else
    reasons.push({
      code: 'in-progress',
      message: IN_PROGRESS[code] ?? `the order is ${a.provisioningState}`,
    });
  return { has: false, reasons };
}

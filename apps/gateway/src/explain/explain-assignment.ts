import { type ConnectorCall, identityDecider, type IdentityEvent, type IdentityState } from '@prov/domain';
import { identityAttributes } from '@prov/platform';
import { type RoleModel, traceAccount, traceRules } from '@prov/role-model';
import type { AssignmentExplanationView, ExplanationStepView } from './explain-views';

/** An event as the explanation needs it (a RecordedEvent has all of this). */
export interface ExplainedEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  revision: number;
  createdAt: Date;
}

const DECISIONS: Record<string, 'approved' | 'declined' | 'postponed'> = {
  ProvisioningOrderApproved: 'approved',
  ProvisioningOrderDeclined: 'declined',
  ProvisioningOrderPostponed: 'postponed',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const whenOf = (event: ExplainedEvent): string =>
  text(event.metadata.occurredAt) ?? text(event.data.at) ?? event.createdAt.toISOString();

/** The identity as it was at `at` (its events up to then, folded with the domain's evolve). */
export function identityAsOf(events: readonly ExplainedEvent[], at: string): IdentityState {
  return events
    .filter((event) => whenOf(event) <= at)
    .reduce(
      (state, event) =>
        identityDecider.evolve(state, { type: event.type, data: event.data } as unknown as IdentityEvent),
      identityDecider.initialState(),
    );
}

/**
 * The causal chain of one assignment, from its events alone (pure): the request or the rule that
 * gave it, each order with the role-model version and the computed account, review decisions,
 * connector attempts, and the synchronization that observed the result. `versions` holds the
 * recorded role models by hash; `current` explains orders from before versions were recorded.
 */
export function explainAssignment(
  assignment: readonly ExplainedEvent[],
  identity: readonly ExplainedEvent[],
  versions: ReadonlyMap<string, RoleModel>,
  current?: RoleModel,
): AssignmentExplanationView | undefined {
  const requested = assignment.find((event) => event.type === 'AssignmentRequested');
  if (!requested) return undefined;
  const { assignmentId, identityId, entitlementId } = requested.data as Record<string, string>;
  const attributesAt = (at: string) => {
    const state = identityAsOf(identity, at);
    return state.exists ? identityAttributes(state) : undefined;
  };
  const modelOf = (hash: unknown) => (typeof hash === 'string' ? versions.get(hash) : undefined) ?? current;
  const steps = assignment.map((event): ExplanationStepView => {
    const at = whenOf(event);
    const data = event.data;
    const orderId = text(data.orderId) ?? '';
    const by = text(data.by) ?? text(event.metadata.actor);
    switch (event.type) {
      case 'AssignmentRequested': {
        const ruleId = by?.startsWith('rule:') ? by.slice('rule:'.length) : undefined;
        if (ruleId !== undefined) {
          const attributes = attributesAt(at);
          const model = firstGenerationModel(assignment, versions) ?? current;
          const rule =
            model && attributes ? traceRules(model, attributes).find((r) => r.ruleId === ruleId) : undefined;
          return { kind: 'rule', at, ruleId, ...(rule ? { rule } : {}) };
        }
        return withoutUndefined({
          kind: 'request',
          at,
          by,
          comment: text(data.comment),
          startsAt: text(data.startsAt),
          endsAt: text(data.endsAt),
        });
      }
      case 'ProvisioningOrderGenerated':
      case 'RoleModelEvaluationFailed': {
        const model = modelOf(data.roleModelVersion);
        const attributes = attributesAt(at);
        const account =
          data.changeType !== 'Deleted' && model && attributes
            ? traceAccount(model, attributes, entitlementId)
            : undefined;
        return withoutUndefined({
          kind: 'order',
          at,
          orderId,
          changeType: text(data.changeType) ?? 'Added',
          state: text(data.provisioningState) ?? '',
          origin: text(data.origin),
          roleModelVersion: text(data.roleModelVersion),
          account,
          error: text(data.error),
        }) as ExplanationStepView;
      }
      case 'ProvisioningOrderExecuted':
      case 'ProvisioningOrderErrored':
        return withoutUndefined({
          kind: 'attempt',
          at,
          orderId,
          attempt: Number(data.attempt ?? 1),
          result: event.type === 'ProvisioningOrderExecuted' ? 'executed' : 'errored',
          reportedBy: text(data.reportedBy),
          error: text(data.error),
          connectorCall: data.connectorCall as ConnectorCall | undefined,
        }) as ExplanationStepView;
      case 'ProvisioningOrderVerified':
        return withoutUndefined({
          kind: 'observation',
          at,
          orderId,
          by,
          synchronization: text(event.metadata.causationId),
        }) as ExplanationStepView;
      default:
        if (DECISIONS[event.type]) {
          return withoutUndefined({
            kind: 'decision',
            at,
            orderId,
            decision: DECISIONS[event.type],
            by,
            comment: text(data.comment),
          }) as ExplanationStepView;
        }
        return withoutUndefined({
          kind: 'other',
          at,
          type: event.type,
          orderId: orderId || undefined,
          by,
          detail: detailOf(data),
        }) as ExplanationStepView;
    }
  });
  return { assignmentId, identityId, entitlementId, steps };
}

/** The version that generated the first order: the model the rule was evaluated with when it granted. */
function firstGenerationModel(
  events: readonly ExplainedEvent[],
  versions: ReadonlyMap<string, RoleModel>,
): RoleModel | undefined {
  const first = events.find((event) => event.type === 'ProvisioningOrderGenerated');
  const hash = first ? text(first.data.roleModelVersion) : undefined;
  return hash ? versions.get(hash) : undefined;
}

/** What else an event says (a reason, a comment, a date), without the ids already in the step. */
function detailOf(data: Record<string, unknown>): Record<string, unknown> | undefined {
  const picked = Object.fromEntries(
    ['reason', 'supersededBy', 'comment', 'endsAt', 'until', 'automatic', 'error']
      .filter((k) => data[k] !== undefined)
      .map((k) => [k, data[k]]),
  );
  return Object.keys(picked).length > 0 ? picked : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

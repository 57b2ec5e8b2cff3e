import type { ReactNode } from 'react';
import type { ExplanationStep, ExpressionTrace } from '../api/types';
import { eventLabel } from '../api/states';
import { formatDateTime, shortId } from '../format';
import { DataTable } from './DataTable';

const DECISION_LABELS = { approved: 'Approved', declined: 'Declined', postponed: 'Postponed' } as const;

/** A value as the role model saw it: strings quoted, so that an empty string or "null" is visible. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function Inputs({ inputs }: { inputs: Record<string, unknown> }) {
  const entries = Object.entries(inputs);
  if (entries.length === 0) return <span className="muted">no identity value</span>;
  return (
    <>
      {entries.map(([name, value], index) => (
        <span key={name}>
          {index > 0 && ', '}
          <code>{name}</code> = {shown(value)}
        </span>
      ))}
    </>
  );
}

function Outcome({ trace }: { trace: ExpressionTrace }) {
  return trace.error !== undefined ? (
    <span className="error-text">{trace.error}</span>
  ) : (
    <span>{shown(trace.value)}</span>
  );
}

/** The computed account: every expression of the resource type with its inputs and result. */
function AccountTable({ step }: { step: Extract<ExplanationStep, { kind: 'order' }> }) {
  const account = step.account;
  if (!account) return null;
  const rows: Array<{ name: string; trace: ExpressionTrace }> = [
    { name: 'account rule', trace: account.accountRule },
    { name: 'account key', trace: account.accountKey },
    ...account.attributes.map((attribute) => ({ name: attribute.name, trace: attribute })),
  ];
  return (
    <DataTable
      caption={
        <>
          Account on {account.connectionId} ({account.resourceTypeId})
          {account.group ? `, group ${account.group}` : ''}
        </>
      }
      captionStyle="small"
      columns={['Attribute', 'Expression', 'Identity values', 'Result']}
      className="data-table compact"
      data-account-of={step.orderId}
    >
      {rows.map(({ name, trace }) => (
        <tr key={name} data-attribute={name}>
          <th scope="row">{name}</th>
          <td>
            <code>{trace.expression}</code>
          </td>
          <td className="small">
            <Inputs inputs={trace.inputs} />
          </td>
          <td>
            <Outcome trace={trace} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** What a step says: its heading, who acted and its details. */
function describe(step: ExplanationStep): { title: string; by?: string; body?: ReactNode } {
  switch (step.kind) {
    case 'request':
      return {
        title: 'Requested',
        by: step.by,
        body: (
          <>
            {step.comment && <p className="timeline-reason">“{step.comment}”</p>}
            {(step.startsAt || step.endsAt) && (
              <p className="timeline-meta">
                {step.startsAt && `from ${formatDateTime(step.startsAt)} `}
                {step.endsAt && `until ${formatDateTime(step.endsAt)}`}
              </p>
            )}
          </>
        ),
      };
    case 'rule':
      return {
        title: `Granted by birthright rule ${step.ruleId}`,
        body: step.rule && (
          <p className="timeline-reason">
            <code>{step.rule.expression}</code>{' '}
            {step.rule.holds === true
              ? 'holds'
              : step.rule.holds === false
                ? 'does not hold'
                : 'could not be evaluated'}{' '}
            with <Inputs inputs={step.rule.inputs} />
            {step.rule.error && <span className="error-text"> ({step.rule.error})</span>}
          </p>
        ),
      };
    case 'order':
      return {
        title: `Order ${step.changeType} generated`,
        body: (
          <>
            <p className="timeline-meta">
              order <code title={step.orderId}>{shortId(step.orderId)}</code> · state {step.state}
              {step.origin && <> · origin {step.origin}</>} · role model{' '}
              {step.roleModelVersion ? (
                <code title={step.roleModelVersion} data-role-model-version={step.roleModelVersion}>
                  {step.roleModelVersion.slice(0, 12)}
                </code>
              ) : (
                'in force (not recorded)'
              )}
            </p>
            {step.error && <p className="timeline-reason error-text">{step.error}</p>}
            <AccountTable step={step} />
          </>
        ),
      };
    case 'decision':
      return {
        title: `${DECISION_LABELS[step.decision]} in provisioning review`,
        by: step.by,
        body: step.comment && <p className="timeline-reason">“{step.comment}”</p>,
      };
    case 'attempt': {
      const call = step.connectorCall;
      return {
        title: `Attempt ${step.attempt} ${step.result}`,
        by: step.reportedBy,
        body: (
          <>
            {call && (
              <p className="timeline-reason" data-connector-call>
                <code>{call.operation}</code> <code>{call.target}</code>
                {call.attributes.length > 0 && <> · attributes {call.attributes.join(', ')}</>}
                {call.group && <> · group {call.group}</>} · {call.durationMs} ms
              </p>
            )}
            {step.error && <p className="timeline-reason error-text">{step.error}</p>}
          </>
        ),
      };
    }
    case 'observation':
      return {
        title: 'Verified by synchronization',
        by: step.by,
        body: step.synchronization && (
          <p className="timeline-meta">
            synchronization <code title={step.synchronization}>{shortId(step.synchronization)}</code>
          </p>
        ),
      };
    case 'other':
      return {
        title: eventLabel(step.type),
        by: step.by,
        body: step.detail && (
          <p className="timeline-reason">
            {Object.entries(step.detail)
              .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
              .join(' · ')}
          </p>
        ),
      };
  }
}

/**
 * The causal chain of an assignment (`GET /api/assignments/:id/explain`) as one timeline: the
 * request or rule, each order with the role-model version and computed account, the review
 * decisions, the connector attempts and the synchronization that observed the result.
 */
export function ExplainTimeline({ steps, label }: { steps: ExplanationStep[]; label: string }) {
  return (
    <ol className="timeline explain" aria-label={label}>
      {steps.map((step, index) => {
        const { title, by, body } = describe(step);
        return (
          <li key={`${index}-${step.kind}`} className="timeline-item" data-step-kind={step.kind}>
            <div className="timeline-head">
              <strong>{title}</strong>
            </div>
            <p className="timeline-meta">
              <time dateTime={step.at}>{formatDateTime(step.at)}</time>
              {by && (
                <>
                  {' '}
                  · by <span className="actor">{by}</span>
                </>
              )}
            </p>
            {body}
          </li>
        );
      })}
    </ol>
  );
}

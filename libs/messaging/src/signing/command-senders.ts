/**
 * Who may send which command (ADR 0010): the service kind of the signer, per command subject.
 * The NATS permissions (bus/nats-permissions.ts) are generated from the same table, so the bus
 * refuses what the services would refuse, and the services refuse what slips past the bus.
 * Kinds are the signer identity's first word: `agent-emea` is an `agent`.
 */
export type CommandSenders = Readonly<Record<string, readonly string[]>>;

/** The engine's commands: `prov.cmd.<service>.<command>` -> kinds allowed to send it. */
export const ENGINE_COMMAND_SENDERS: CommandSenders = {
  'prov.cmd.requests.register-identity': ['gateway'],
  'prov.cmd.requests.update-identity': ['gateway'],
  'prov.cmd.requests.deactivate-identity': ['gateway'],
  'prov.cmd.requests.reactivate-identity': ['gateway'],
  'prov.cmd.requests.request-assignment': ['gateway'],
  'prov.cmd.requests.revoke-assignment': ['gateway'],
  // The bulk endpoints' items, a command per slice of a call (ADR 0045).
  'prov.cmd.requests.register-identity-batch': ['gateway'],
  'prov.cmd.requests.request-assignment-batch': ['gateway'],
  // The complete job's evaluate task: birthright rules for every identity, a page per command.
  'prov.cmd.requests.settle-identities': ['orders'],
  'prov.cmd.review.approve': ['gateway'],
  'prov.cmd.review.decline': ['gateway'],
  'prov.cmd.review.postpone': ['gateway'],
  'prov.cmd.review.retry': ['gateway'],
  'prov.cmd.review.confirm': ['gateway'],
  'prov.cmd.review.report-error': ['gateway'],
  'prov.cmd.orders.start-complete-job': ['gateway'],
  'prov.cmd.orders.report': ['agent'],
  // The reports of orders an agent finished close together, one signed command (ADR 0054).
  'prov.cmd.orders.report-batch': ['agent'],
  // The gateway reports a manual connection's read-back, imported from a CSV by an operator.
  'prov.cmd.sync.report': ['agent', 'gateway'],
  // A page of a read-back too large for one message (ADR 0025); the report then names the pages.
  'prov.cmd.sync.report-page': ['agent'],
  'prov.cmd.projector.replay': ['gateway'],
  // `*`: the connection id; only agents serving that connection subscribe to it.
  'prov.cmd.agent.synchronize.*': ['orders'],
  'prov.cmd.agent.test-connection.*': ['gateway'],
  // The connection's circuit breaker, shown by the connections API (ADR 0024).
  'prov.cmd.agent.connection-state.*': ['gateway'],
};

/** Which service answers the commands of a subject's service token (`sync` is handled by `orders`). */
export const COMMAND_HANDLERS: Readonly<Record<string, string>> = {
  requests: 'requests',
  review: 'review',
  orders: 'orders',
  sync: 'orders',
  projector: 'projector',
  agent: 'agent',
};

/** Only the gateway speaks for a person: every other signer acts as itself. */
export const PERSON_ACTOR_KINDS: readonly string[] = ['gateway'];

/** The signer's kind: the first word of its identity. */
export function signerKind(identity: string): string {
  return identity.split('-')[0];
}

/** True when a table subject (a `*` stands for one token, as in NATS) covers `subject`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split('.');
  const got = subject.split('.');
  return (
    want.length === got.length &&
    want.every((token, i) => token === got[i] || (token === '*' && got[i] !== ''))
  );
}

export function mayIssue(senders: CommandSenders, identity: string, subject: string): boolean {
  const kind = signerKind(identity);
  return Object.entries(senders).some(
    ([pattern, kinds]) => subjectMatches(pattern, subject) && kinds.includes(kind),
  );
}

/** The subjects a kind may send commands on. */
export function commandsOf(senders: CommandSenders, kind: string): string[] {
  return Object.entries(senders)
    .filter(([, kinds]) => kinds.includes(kind))
    .map(([subject]) => subject);
}

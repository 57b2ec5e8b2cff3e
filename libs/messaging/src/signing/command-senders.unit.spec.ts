import { ENGINE_COMMAND_SENDERS, mayIssue, subjectMatches } from './command-senders';

describe('command senders', () => {
  it('lets a `*` of the table stand for exactly one token, as NATS does', () => {
    expect(subjectMatches('prov.cmd.agent.synchronize.*', 'prov.cmd.agent.synchronize.corp_ldap')).toBe(true);
    expect(subjectMatches('prov.cmd.agent.synchronize.*', 'prov.cmd.agent.synchronize')).toBe(false);
    expect(subjectMatches('prov.cmd.agent.synchronize.*', 'prov.cmd.agent.synchronize.a.b')).toBe(false);
    expect(subjectMatches('prov.cmd.agent.synchronize.*', 'prov.cmd.agent.synchronize.')).toBe(false);
    expect(subjectMatches('prov.cmd.orders.report', 'prov.cmd.orders.report')).toBe(true);
  });

  it('lets orders synchronize any connection and the gateway test one, and nobody else', () => {
    expect(mayIssue(ENGINE_COMMAND_SENDERS, 'orders', 'prov.cmd.agent.synchronize.hr_app')).toBe(true);
    expect(mayIssue(ENGINE_COMMAND_SENDERS, 'gateway', 'prov.cmd.agent.synchronize.hr_app')).toBe(false);
    expect(mayIssue(ENGINE_COMMAND_SENDERS, 'gateway', 'prov.cmd.agent.test-connection.hr_app')).toBe(true);
    expect(mayIssue(ENGINE_COMMAND_SENDERS, 'agent-emea', 'prov.cmd.agent.test-connection.hr_app')).toBe(
      false,
    );
    expect(mayIssue(ENGINE_COMMAND_SENDERS, 'agent', 'prov.cmd.orders.report')).toBe(true);
  });
});

import { connectorCall } from './connector-call';

const order = {
  changeType: 'Added' as const,
  connectionId: 'corp_ldap',
  changes: {
    accountKey: 'ada',
    attributes: { sn: 'Lovelace', mail: 'ada@example.org', password: 's3cret!' },
    group: 'staff',
  },
};

describe('connectorCall: what the agent reports about a connector call', () => {
  it('names the operation, the entry the connector wrote, the attribute names and the duration', () => {
    expect(connectorCall(order, { target: 'uid=ada,ou=people,dc=example,dc=com' }, 12.6)).toEqual({
      operation: 'create-or-converge',
      target: 'uid=ada,ou=people,dc=example,dc=com',
      attributes: ['mail', 'password', 'sn'],
      group: 'staff',
      durationMs: 13,
    });
  });

  it('never carries a value, so neither personal data nor a write-only secret reaches the log', () => {
    expect(JSON.stringify(connectorCall(order, undefined, 1))).not.toMatch(/s3cret|Lovelace|example\.org/);
  });

  it('falls back to the account key on its connection when the connector does not name the entry', () => {
    expect(connectorCall({ ...order, changeType: 'Deleted' }, undefined, 3)).toMatchObject({
      operation: 'delete',
      target: 'corp_ldap:ada',
    });
    expect(connectorCall({ ...order, changeType: 'Modified' }, {}, 3).operation).toBe('modify');
  });
});

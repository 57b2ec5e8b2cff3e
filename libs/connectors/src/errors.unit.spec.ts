import {
  ConnectorConfigurationError,
  ConnectorError,
  PermanentConnectorError,
  scrubSecrets,
  TransientConnectorError,
} from './errors';

describe('scrubSecrets', () => {
  it('masks the given values, longest first', () => {
    const url = 'postgres://app:s3cr3t@db:5432/app';
    expect(scrubSecrets(`cannot reach ${url} (password s3cr3t)`, ['s3cr3t', url])).toBe(
      'cannot reach *** (password ***)',
    );
  });

  it('masks credentials in URLs and key/value strings without being told', () => {
    expect(scrubSecrets('failed for postgresql://app:pa%40ss@db/app')).toBe(
      'failed for postgresql://app:***@db/app',
    );
    expect(scrubSecrets("host=db password='x y' user=app")).toBe('host=db password=*** user=app');
    expect(scrubSecrets('ldaps://cn=admin:pw@ldap.example.org')).toBe(
      'ldaps://cn=admin:***@ldap.example.org',
    );
  });

  it('leaves other messages alone and ignores very short values', () => {
    expect(scrubSecrets('relation "x" does not exist', ['ab', undefined])).toBe(
      'relation "x" does not exist',
    );
  });
});

describe('ConnectorError', () => {
  it('carries its kind, code and cause, and scrubs URL credentials', () => {
    const cause = new Error('boom');
    const error = new TransientConnectorError('connect to postgres://u:pw@h failed', {
      code: 'ECONNREFUSED',
      cause,
    });
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'ECONNREFUSED',
      name: 'TransientConnectorError',
      cause,
    });
    expect(error.message).toBe('connect to postgres://u:***@h failed');
    expect(new PermanentConnectorError('no')).toMatchObject({
      kind: 'permanent',
      name: 'PermanentConnectorError',
    });
    expect(new ConnectorConfigurationError('bad')).toBeInstanceOf(PermanentConnectorError);
  });
});

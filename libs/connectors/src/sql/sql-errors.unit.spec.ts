import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { isTransientSqlError, toSqlConnectorError } from './sql-errors';

function pgError(code: string, message: string, detail?: string): Error {
  return Object.assign(new Error(message), { code, ...(detail ? { detail } : {}) });
}

const identity = (m: string) => m;

describe('classifying PostgreSQL failures', () => {
  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['57014', 'canceling statement due to statement timeout'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
  ])('%s is transient', (code, message) => {
    expect(isTransientSqlError(pgError(code, message))).toBe(true);
    expect(toSqlConnectorError(pgError(code, message), identity)).toBeInstanceOf(TransientConnectorError);
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint "accounts_pkey"'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['42501', 'permission denied for schema hr_app'],
    ['28P01', 'password authentication failed for user "app"'],
    ['3D000', 'database "nope" does not exist'],
  ])('%s is permanent', (code, message) => {
    expect(toSqlConnectorError(pgError(code, message), identity)).toBeInstanceOf(PermanentConnectorError);
  });

  it('treats network failures and pg timeouts as transient', () => {
    expect(
      isTransientSqlError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(isTransientSqlError(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isTransientSqlError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientSqlError(new TypeError('x is not a function'))).toBe(false);
  });

  it("keeps the server's message and detail, and its code", () => {
    const error = toSqlConnectorError(
      pgError(
        '23503',
        'insert or update violates foreign key constraint',
        'Key (account_key)=(x) is not present.',
      ),
      identity,
    );
    expect(error).toMatchObject({ kind: 'permanent', code: '23503' });
    expect(error.message).toBe(
      'insert or update violates foreign key constraint (Key (account_key)=(x) is not present.)',
    );
  });

  it("uses the inner messages of Node's AggregateError, whose own message is empty", () => {
    const aggregate = Object.assign(
      new AggregateError(
        [new Error('connect ECONNREFUSED ::1:1'), new Error('connect ECONNREFUSED 127.0.0.1:1')],
        '',
      ),
      {
        code: 'ECONNREFUSED',
      },
    );
    const error = toSqlConnectorError(aggregate, identity);
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect(error.message).toBe('connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1');
  });

  it('scrubs the message with the given function', () => {
    expect(toSqlConnectorError(new Error('bad s3cret'), (m) => m.replace('s3cret', '***')).message).toBe(
      'bad ***',
    );
  });
});

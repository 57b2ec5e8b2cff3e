import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { EmptyResponseException } from '@nestjs/microservices/errors/empty-response.exception';
import { NatsError } from 'nats';
import { TimeoutError } from 'rxjs';
import { CommandError } from '../errors/command-error';
import { toCommandError } from './wire-error';

const subject = 'prov.cmd.orders.report';

describe('toCommandError', () => {
  it('rebuilds a CommandError from a payload off the wire', () => {
    const error = toCommandError(
      {
        code: 'InvalidTransition',
        status: 409,
        message: 'not in state Pending',
        details: { state: 'Pending' },
      },
      subject,
    );
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'InvalidTransition',
      status: 409,
      message: 'not in state Pending',
      details: { state: 'Pending' },
      subject,
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'InvalidTransition',
      status: 409,
      message: 'not in state Pending',
      details: { state: 'Pending' },
    });
  });

  it('maps infrastructure failures to 503 and 504', () => {
    expect(toCommandError(new EmptyResponseException(subject), subject)).toMatchObject({
      code: 'NoResponders',
      status: 503,
    });
    expect(toCommandError(NO_MESSAGE_HANDLER, subject)).toMatchObject({ code: 'NoHandler', status: 503 });
    expect(toCommandError('Error: Connection lost. Trying to reconnect...', subject)).toMatchObject({
      code: 'NatsUnavailable',
      status: 503,
      message: 'NATS unavailable: Connection lost. Trying to reconnect...',
    });
    expect(toCommandError(new NatsError('CONNECTION_REFUSED', 'CONNECTION_REFUSED'), subject)).toMatchObject({
      status: 503,
    });
    expect(
      toCommandError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), subject),
    ).toMatchObject({ status: 503 });
    expect(toCommandError(new TimeoutError(), subject, 250)).toMatchObject({
      code: 'CommandTimeout',
      status: 504,
      message: `no reply to ${subject} within 250 ms`,
    });
  });

  it("maps Nest's default error reply to a 500 RemoteError", () => {
    expect(toCommandError({ status: 'error', message: 'Internal server error' }, subject)).toMatchObject({
      code: 'RemoteError',
      status: 500,
      message: 'Internal server error',
    });
  });

  it('keeps local failures as the cause of a 500', () => {
    const local = new TypeError('Do not know how to serialize a BigInt');
    const error = toCommandError(local, subject);
    expect(error).toMatchObject({ code: 'InternalError', status: 500 });
    expect(error.cause).toBe(local);
  });

  it('passes CommandErrors through', () => {
    const original = CommandError.of('X', 409, 'x');
    expect(toCommandError(original, subject)).toBe(original);
  });
});

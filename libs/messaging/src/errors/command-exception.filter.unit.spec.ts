import {
  ArgumentsHost,
  ConflictException,
  InternalServerErrorException,
  NotFoundException,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { CommandError } from './command-error';
import { CommandExceptionFilter } from './command-exception.filter';
import { ErrorStatusMapping } from './error-status-mapping';

class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  readonly code = 'InvalidTransition';
  constructor(
    readonly state: string,
    readonly command: string,
  ) {
    super(`${command} is not allowed in state ${state}`);
  }
}

class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamName: string,
    readonly expected: bigint,
    readonly actual: bigint,
  ) {
    super(`stream ${streamName} is at ${actual}, expected ${expected}`);
  }
}

function silentLogger() {
  return { error: jest.fn(), debug: jest.fn() };
}

function rpcHost(subject: string): ArgumentsHost {
  return {
    getType: () => 'rpc',
    switchToRpc: () => ({ getContext: () => ({ getSubject: () => subject }), getData: () => ({}) }),
  } as unknown as ArgumentsHost;
}

describe('CommandExceptionFilter', () => {
  it('sends a domain error with its status, code, message and fields', async () => {
    const filter = new CommandExceptionFilter({ logger: silentLogger() });
    const error = await firstValueFrom(
      filter.catch(new InvalidTransitionError('Pending', 'approve'), rpcHost('s')),
    ).catch((e) => e);
    expect(error).toEqual({
      code: 'InvalidTransition',
      status: 409,
      message: 'approve is not allowed in state Pending',
      details: { state: 'Pending', command: 'approve' },
    });
  });

  it('makes bigint fields JSON-safe and derives a code from the name', () => {
    const payload = new CommandExceptionFilter({ logger: silentLogger() }).toPayload(
      new WrongExpectedVersionError('order-1', 3n, 4n),
    );
    expect(payload).toEqual({
      code: 'WrongExpectedVersion',
      status: 409,
      message: 'stream order-1 is at 4, expected 3',
      details: { streamName: 'order-1', expected: '3', actual: '4' },
    });
    expect(() => JSON.stringify(payload)).not.toThrow();
  });

  it('hides unknown errors behind a 500 with an incident id and logs them as structured data', () => {
    const logger = silentLogger();
    const secret = 'password=hunter2 at postgres://admin:hunter2@db';
    const payload = new CommandExceptionFilter({ logger }).toPayload(
      Object.assign(new Error(secret), { code: 'ECONNREFUSED' }),
      'prov.cmd.orders.report',
    );
    expect(payload.status).toBe(500);
    expect(payload.code).toBe('InternalError');
    expect(payload.message).toMatch(/^Internal server error \(incident [0-9a-f-]{36}\)$/);
    expect(JSON.stringify(payload)).not.toContain('hunter2');
    expect(JSON.stringify(payload)).not.toMatch(/at .*\.ts/);
    const [logged, stack] = logger.error.mock.calls[0];
    expect(logged).toMatchObject({
      subject: 'prov.cmd.orders.report',
      errorCode: 'ECONNREFUSED',
      errorMessage: secret,
      incidentId: (payload.details as { incidentId: string }).incidentId,
    });
    expect(stack).toContain('Error: password=hunter2');
  });

  it('answers an unavailable dependency with a 503 to try again, never the driver text, logged as a warning', () => {
    const logger = { ...silentLogger(), warn: jest.fn() };
    const secret = 'connect ECONNREFUSED db.internal:5432 as admin:hunter2';
    const refused = Object.assign(new Error(secret), { code: 'ECONNREFUSED' });
    const filter = new CommandExceptionFilter({
      logger,
      // Even where the mapping knows the code, the caller must not get the driver's text.
      statuses: { ECONNREFUSED: 503 },
      unavailable: (error) => (error as { code?: string }).code === 'ECONNREFUSED',
    });
    const payload = filter.toPayload(refused, 'prov.cmd.requests.request-assignment');
    expect(payload).toEqual({
      code: 'ServiceUnavailable',
      status: 503,
      message: 'a dependency of the service (its database) is unavailable or busy; try again',
    });
    expect(logger.warn.mock.calls[0][0]).toMatchObject({
      subject: 'prov.cmd.requests.request-assignment',
      errorCode: 'ECONNREFUSED',
      errorMessage: secret,
    });
    expect(logger.error).not.toHaveBeenCalled();
    // Without the option, the same error stays what the mapping says.
    expect(new CommandExceptionFilter({ logger: silentLogger() }).toPayload(refused).status).toBe(500);
  });

  it('treats thrown non-errors as internal errors', () => {
    const payload = new CommandExceptionFilter({ logger: silentLogger() }).toPayload('boom');
    expect(payload).toMatchObject({ status: 500, code: 'InternalError' });
  });

  it('passes CommandErrors and RpcException payloads through', () => {
    const filter = new CommandExceptionFilter({ logger: silentLogger() });
    const downstream = CommandError.of('CommandTimeout', 504, 'no reply to prov.cmd.x.y within 5000 ms');
    expect(filter.toPayload(downstream)).toEqual({
      code: 'CommandTimeout',
      status: 504,
      message: 'no reply to prov.cmd.x.y within 5000 ms',
    });
    const rpc = new RpcException({
      code: 'ValidationFailed',
      status: 400,
      message: 'invalid x',
      details: [{ field: 'x' }],
    });
    expect(filter.toPayload(rpc)).toEqual({
      code: 'ValidationFailed',
      status: 400,
      message: 'invalid x',
      details: [{ field: 'x' }],
    });
    expect(filter.toPayload(new RpcException('explicitly for the caller'))).toEqual({
      code: 'RemoteError',
      status: 500,
      message: 'explicitly for the caller',
    });
  });

  it('keeps 4xx HttpExceptions and hides 5xx ones', () => {
    const filter = new CommandExceptionFilter({ logger: silentLogger() });
    expect(filter.toPayload(new NotFoundException('no identity i-1'))).toEqual({
      code: 'NotFound',
      status: 404,
      message: 'no identity i-1',
    });
    expect(filter.toPayload(new ConflictException())).toMatchObject({ code: 'Conflict', status: 409 });
    expect(filter.toPayload(new InternalServerErrorException('db password wrong'))).toMatchObject({
      status: 500,
      code: 'InternalError',
    });
  });

  it('uses its own statuses or mapping when given', () => {
    class QuotaExceededError extends Error {}
    const own = new CommandExceptionFilter({ logger: silentLogger(), statuses: { QuotaExceededError: 422 } });
    expect(own.toPayload(new QuotaExceededError('over quota'))).toEqual({
      code: 'QuotaExceeded',
      status: 422,
      message: 'over quota',
    });
    const shared = new CommandExceptionFilter({ logger: silentLogger() });
    expect(shared.toPayload(new QuotaExceededError('over quota')).status).toBe(500);
    const bare = new CommandExceptionFilter({
      logger: silentLogger(),
      mapping: new ErrorStatusMapping({}, { defaults: false }),
    });
    expect(bare.toPayload(new InvalidTransitionError('Pending', 'approve')).status).toBe(500);
  });

  it('uses an explicit details property instead of the fields', () => {
    class OrderNotFoundError extends Error {
      readonly code = 'OrderNotFound';
      readonly details = { orderId: 'o-1' };
      readonly internal = 'not sent';
    }
    expect(
      new CommandExceptionFilter({ logger: silentLogger() }).toPayload(
        new OrderNotFoundError('no order o-1'),
      ),
    ).toEqual({
      code: 'OrderNotFound',
      status: 404,
      message: 'no order o-1',
      details: { orderId: 'o-1' },
    });
  });
});

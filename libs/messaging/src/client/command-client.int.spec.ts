import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Controller, DynamicModule, INestMicroservice, Inject, Module } from '@nestjs/common';
import { type ClientProxy, MessagePattern, Payload } from '@nestjs/microservices';
import { Test, TestingModule } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import type { NatsConnection } from 'nats';
import { freePort, testNatsUrl } from '@prov/testing';
import { commandSubject } from '../subjects';
import { CommandError } from '../errors/command-error';
import { createCommandMicroservice } from '../server/command-microservice';
import { CommandClient } from './command-client';
import { MessagingModule } from './messaging.module';
import { COMMAND_CLIENT_PROXY } from './messaging-options';
import { testCommandAuth } from '../testing/command-auth';

// A service name of its own, so that no other test file's replicas join this queue group.
const SERVICE = `test-${randomBytes(3).toString('hex')}`;
const INSTANCE = Symbol('instance');
const COMMANDS = ['echo', 'approve', 'crash', 'fire-and-forget', 'wrapped', 'slow', 'unhandled-by-anyone'];
const auth = testCommandAuth(
  `caller-${randomBytes(3).toString('hex')}`,
  COMMANDS.map((c) => commandSubject(SERVICE, c)),
);
const handled: { instance: string; text: string }[] = [];
const filterLogger = { error: jest.fn(), debug: jest.fn() };

class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  readonly code = 'InvalidTransition';
  constructor(readonly state: string) {
    super(`approve is not allowed in state ${state}`);
  }
}

class OptionsDto {
  @IsInt()
  @Min(1)
  @Max(5)
  times!: number;
}

class EchoDto {
  @IsString()
  text!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => OptionsDto)
  options?: OptionsDto;
}

@Controller()
class EchoController {
  constructor(@Inject(INSTANCE) private readonly instance: string) {}

  @MessagePattern(commandSubject(SERVICE, 'echo'))
  echo(@Payload() dto: EchoDto) {
    handled.push({ instance: this.instance, text: dto.text });
    return {
      text: dto.text.repeat(dto.options?.times ?? 1),
      isDto: dto instanceof EchoDto,
      instance: this.instance,
    };
  }

  @MessagePattern(commandSubject(SERVICE, 'approve'))
  approve(): never {
    throw new InvalidTransitionError('Pending');
  }

  @MessagePattern(commandSubject(SERVICE, 'crash'))
  async crash(): Promise<never> {
    throw new Error('could not connect to postgres://admin:hunter2@db/prov');
  }

  @MessagePattern(commandSubject(SERVICE, 'fire-and-forget'))
  async nothing(): Promise<void> {}

  @MessagePattern(commandSubject(SERVICE, 'wrapped'))
  wrapped() {
    return { response: 'kept', other: 1 };
  }

  @MessagePattern(commandSubject(SERVICE, 'slow'))
  async slow(@Payload() payload: { ms: number }): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, payload.ms));
    return 'late';
  }
}

@Module({})
class EchoModule {
  static forInstance(instance: string): DynamicModule {
    return {
      module: EchoModule,
      controllers: [EchoController],
      providers: [{ provide: INSTANCE, useValue: instance }],
    };
  }
}

async function startReplica(instance: string): Promise<INestMicroservice> {
  const app = await createCommandMicroservice(EchoModule.forInstance(instance), {
    natsUrl: testNatsUrl(),
    service: SERVICE,
    credentials: auth.credentials,
    verification: auth.verification,
    logger: false,
    filter: { logger: filterLogger },
    shutdownHooks: false,
    gracePeriodMs: 50,
  });
  await app.listen();
  return app;
}

async function caller(natsUrl: string, defaultTimeoutMs = 3000): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      MessagingModule.forRoot({
        natsUrl,
        name: 'test-caller',
        defaultTimeoutMs,
        credentials: auth.credentials,
        signing: auth.signing,
      }),
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

async function failure(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

jest.setTimeout(30_000);

describe('commands over NATS (CommandClient -> Nest microservice)', () => {
  let replicas: INestMicroservice[];
  let moduleRef: TestingModule;
  let client: CommandClient;

  beforeAll(async () => {
    replicas = [await startReplica('a'), await startReplica('b')];
    moduleRef = await caller(testNatsUrl());
    client = moduleRef.get(CommandClient);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await Promise.all((replicas ?? []).map((app) => app.close()));
  });

  it('returns the reply of a handler, with the payload validated into its DTO', async () => {
    await expect(client.send(SERVICE, 'echo', { text: 'hi', options: { times: 2 } })).resolves.toMatchObject({
      text: 'hihi',
      isDto: true,
    });
  });

  it('hands each command to exactly one replica of the queue group', async () => {
    handled.length = 0;
    const texts = Array.from({ length: 30 }, (_, i) => `m${i}`);
    await Promise.all(texts.map((text) => client.send(SERVICE, 'echo', { text })));
    expect(handled.map((h) => h.text).sort()).toEqual([...texts].sort());
    expect(new Set(handled.map((h) => h.instance))).toEqual(new Set(['a', 'b']));
  });

  it('turns a domain error into a CommandError with its status, code, message and fields', async () => {
    const error = await failure(client.send(SERVICE, 'approve', {}));
    expect(error).toMatchObject({
      status: 409,
      code: 'InvalidTransition',
      message: 'approve is not allowed in state Pending',
      details: { state: 'Pending' },
      subject: commandSubject(SERVICE, 'approve'),
    });
  });

  it('answers an invalid payload with 400 naming the fields', async () => {
    const error = await failure(
      client.send(SERVICE, 'echo', { text: 5, options: { times: 9 }, admin: true }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('ValidationFailed');
    expect(error.message).toContain('invalid text: text must be a string');
    expect(error.message).toContain('invalid options.times: times must not be greater than 5');
    const fields = (error.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['admin', 'options.times', 'text']);
  });

  it('hides an unexpected error behind a 500 without its text', async () => {
    const error = await failure(client.send(SERVICE, 'crash', {}));
    expect(error.status).toBe(500);
    expect(error.code).toBe('InternalError');
    expect(error.message).toMatch(/^Internal server error/);
    expect(JSON.stringify(error.toPayload())).not.toContain('hunter2');
    // The text goes to the service's log instead, under the incident id the caller got.
    const incidentId = (error.details as { incidentId: string }).incidentId;
    expect(filterLogger.error).toHaveBeenCalledWith(
      expect.objectContaining({ incidentId, errorMessage: expect.stringContaining('hunter2') }),
      expect.stringContaining('EchoController.crash'),
    );
  });

  it('resolves with undefined for a handler that returns nothing', async () => {
    await expect(client.send(SERVICE, 'fire-and-forget')).resolves.toBeUndefined();
  });

  it('passes a reply with a "response" key through unchanged', async () => {
    await expect(client.send(SERVICE, 'wrapped', {})).resolves.toEqual({ response: 'kept', other: 1 });
  });

  it('fails fast with 503 when no service listens on the subject', async () => {
    const started = Date.now();
    const error = await failure(client.send(SERVICE, 'no-such-command', {}, { timeoutMs: 2000 }));
    expect(error).toMatchObject({ status: 503, code: 'NoResponders' });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(failure(client.send('nobody-home', 'echo', {}))).resolves.toMatchObject({ status: 503 });
  });

  it('gives up with 504 when the reply does not come within the timeout', async () => {
    const started = Date.now();
    const error = await failure(client.send(SERVICE, 'slow', { ms: 1500 }, { timeoutMs: 200 }));
    expect(error).toMatchObject({ status: 504, code: 'CommandTimeout' });
    expect(error.message).toContain('within 200 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers 503 while NATS cannot be reached', async () => {
    const nowhere = await caller(`nats://127.0.0.1:${await freePort()}`);
    try {
      const error = await failure(nowhere.get(CommandClient).send(SERVICE, 'echo', { text: 'x' }));
      expect(error).toMatchObject({ status: 503, code: 'NatsUnavailable' });
    } finally {
      await nowhere.close();
    }
  });

  it("takes every reply on the connection's one shared inbox, not a subscription per command (ADR 0049)", async () => {
    const nc = moduleRef.get<ClientProxy>(COMMAND_CLIENT_PROXY).unwrap<NatsConnection>();
    const replies = Array.from({ length: 10 }, () =>
      client.send(SERVICE, 'slow', { ms: 3000 }, { timeoutMs: 20_000 }),
    );
    // After a round trip the server has seen everything sent before it: the ten commands are out.
    await nc.flush();
    const monitor = process.env.PROV_TEST_NATS_MONITOR_URL;
    const connz = (await (await fetch(`${monitor}/connz?cid=${nc.info?.client_id}&subs=1`)).json()) as {
      connections: { subscriptions_list: string[] }[];
    };
    expect(connz.connections[0].subscriptions_list).toHaveLength(1);
    await expect(Promise.all(replies)).resolves.toHaveLength(10);
  });

  it('refuses an invalid command name before sending anything', async () => {
    await expect(client.send(SERVICE, 'Echo', {})).rejects.toThrow(/invalid command "Echo"/);
  });
});

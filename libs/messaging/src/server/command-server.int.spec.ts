import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import fc from 'fast-check';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { testNatsUrl } from '@prov/testing';
import { commandSubject } from '../subjects';
import { createCommandMicroservice } from './command-microservice';
import { COMMAND_TOKEN_HEADER, signCommand } from '../signing/command-token';
import { testCommandAuth } from '../testing/command-auth';

const SERVICE = `fuzz-${randomBytes(3).toString('hex')}`;
const handled: string[] = [];
const auth = testCommandAuth(`fuzzer-${randomBytes(3).toString('hex')}`, [commandSubject(SERVICE, 'note')]);

class NoteDto {
  @IsString()
  @MaxLength(200)
  text!: string;

  @IsOptional()
  @IsString()
  comment?: string;
}

@Controller()
class NotesController {
  @MessagePattern(commandSubject(SERVICE, 'note'))
  note(@Payload() dto: NoteDto) {
    handled.push(dto.text);
    return { stored: dto.text };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bodies a careless or hostile publisher might send: bytes, text, JSON of every shape, near-packets. */
function bodies(subject: string): fc.Arbitrary<Uint8Array> {
  const packet = (data: unknown, id: unknown = 'p-1') =>
    encoder.encode(JSON.stringify({ id, pattern: subject, data }));
  const deep = fc
    .integer({ min: 30, max: 3000 })
    .map((n) => encoder.encode(`{"id":"d","pattern":"${subject}","data":${'['.repeat(n)}${']'.repeat(n)}}`));
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.string({ maxLength: 200 }).map((s) => encoder.encode(s)),
    fc.json().map((s) => encoder.encode(s)),
    fc.jsonValue().map((data) => packet(data)),
    fc
      .record({
        text: fc.string({ maxLength: 300 }),
        comment: fc.option(fc.string({ maxLength: 50 }), { nil: undefined }),
      })
      .map((d) => packet(d)),
    fc.string({ maxLength: 20 }).map((text) => packet({ text: `${text}\u0000` })),
    fc.constantFrom('\ud800', 'a\udc00', '\u0000').map((bad) => packet({ text: 'x', comment: bad })),
    fc.anything().map((id) => packet({ text: 'x' }, id)),
    deep,
    fc.constantFrom(
      encoder.encode('{"broken":'),
      encoder.encode(''),
      encoder.encode('null'),
      new Uint8Array([0xff, 0xfe, 0x00]),
    ),
  );
}

jest.setTimeout(120_000);

/** A well-formed command, signed the way the command client signs it. */
async function signedRequest(nc: NatsConnection, id: string, data: Record<string, unknown>) {
  const subject = commandSubject(SERVICE, 'note');
  const h = natsHeaders();
  h.set(COMMAND_TOKEN_HEADER, await signCommand(auth.keys, { subject, body: data }));
  return nc.request(subject, encoder.encode(JSON.stringify({ id, pattern: subject, data })), {
    timeout: 3000,
    headers: h,
  });
}

describe('a command service fed malformed messages', () => {
  let app: INestMicroservice;
  let nc: NatsConnection;
  const subject = commandSubject(SERVICE, 'note');

  beforeAll(async () => {
    app = await createCommandMicroservice(NotesModule, {
      natsUrl: testNatsUrl(),
      service: SERVICE,
      credentials: auth.credentials,
      verification: auth.verification,
      logger: false,
      shutdownHooks: false,
      gracePeriodMs: 50,
    });
    await app.listen();
    nc = await connect({ servers: testNatsUrl() });
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  it('answers a body that is not JSON with a 400 MalformedCommand reply and keeps serving', async () => {
    const reply = await nc.request(subject, encoder.encode('{"broken":'), { timeout: 3000 });
    expect(JSON.parse(decoder.decode(reply.data))).toEqual({
      err: expect.objectContaining({
        code: 'MalformedCommand',
        status: 400,
        message: expect.stringMatching(/not JSON/),
      }),
      isDisposed: true,
    });
    const ok = await signedRequest(nc, 'ok-1', { text: 'still here' });
    expect(JSON.parse(decoder.decode(ok.data))).toMatchObject({
      id: 'ok-1',
      response: { stored: 'still here' },
    });
  });

  it('names the field with a NUL character and the rule', async () => {
    const body = JSON.stringify({ id: 'nul-1', pattern: subject, data: { text: 'a', comment: 'b\u0000c' } });
    const reply = JSON.parse(
      decoder.decode((await nc.request(subject, encoder.encode(body), { timeout: 3000 })).data),
    );
    expect(reply.id).toBe('nul-1');
    expect(reply.err.details).toEqual([
      expect.objectContaining({ field: 'data.comment', rule: 'noNulCharacter' }),
    ]);
  });

  it('a packet without an id is not run as a fire-and-forget command', async () => {
    const before = handled.length;
    nc.publish(subject, encoder.encode(JSON.stringify({ pattern: subject, data: { text: 'sneaky' } })));
    await nc.flush();
    const ok = await signedRequest(nc, 'after', { text: 'after' });
    expect(JSON.parse(decoder.decode(ok.data)).response).toEqual({ stored: 'after' });
    expect(handled.slice(before)).toEqual(['after']);
  });

  it('3,000 generated bodies: every request gets a reply, no 5xx, and the service still answers', async () => {
    await fc.assert(
      fc.asyncProperty(bodies(subject), async (body) => {
        const reply = await nc.request(subject, body, { timeout: 5000 });
        const packet = JSON.parse(decoder.decode(reply.data)) as {
          err?: { status: number };
          response?: unknown;
        };
        if (packet.err) expect(packet.err.status).toBeLessThan(500);
        else expect(packet.response).toEqual({ stored: expect.any(String) });
      }),
      { numRuns: 3000 },
    );
    const ok = await signedRequest(nc, 'end', { text: 'end' });
    expect(JSON.parse(decoder.decode(ok.data)).response).toEqual({ stored: 'end' });
  });
});

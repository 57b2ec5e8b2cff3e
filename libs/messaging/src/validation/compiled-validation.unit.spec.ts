import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import {
  OrderReportBatchMessage,
  RegisterIdentityBatchMessage,
  RequestAssignmentBatchMessage,
} from '@prov/contracts';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import fc from 'fast-check';
import { acceptedBody, type DtoClass } from './compiled-validation';
import { natsValidationPipe, validationException } from './nats-validation-pipe';

/** A class nested in itself, with an initialiser, `@IsDefined` and an `each` rule on a value that may not be an array. */
class Leaf {
  @IsString()
  @MaxLength(3, { each: true })
  name!: string;
}

class Node {
  @IsIn(['node', 'root'])
  kind = 'node';

  @IsDefined()
  @Min(0, { each: true })
  weights!: number | number[];

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => Node)
  children?: Node[];

  @IsOptional()
  @ValidateNested()
  @Type(() => Leaf)
  leaf?: Leaf;
}

const compiledPipe = natsValidationPipe();
const nestPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: validationException,
});

const STRIPPED = /"(__proto__|constructor|prototype)":/;

type Outcome = { accepted: unknown } | { refused: unknown };

async function outcome(pipe: ValidationPipe, payload: unknown, metatype: DtoClass): Promise<Outcome> {
  try {
    return { accepted: await pipe.transform(payload, { type: 'body', metatype }) };
  } catch (error) {
    return { refused: error instanceof RpcException ? error.getError() : String(error) };
  }
}

/** Values of the wrong kind, out of range, or nested where a rule expects none. */
const ANY = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -2, max: 3 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.constant([]),
  fc.constant(['x', 7]),
  fc.constant({ nested: 'x' }),
  fc.constant('x'.repeat(201)),
);

/**
 * An object with each field of `shape` mostly present and mostly plausible, sometimes a key no
 * rule allows (`__proto__` and `constructor` as own keys, as JSON.parse makes them).
 */
function payload(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(shape).map(([field, plausible]) =>
    fc.option(
      fc
        .oneof({ weight: 20, arbitrary: plausible }, { weight: 1, arbitrary: ANY })
        .map((v) => [field, v] as const),
      { freq: 20 },
    ),
  );
  const extra = rarely(
    fc.tuple(fc.constantFrom('unknown', '__proto__', 'constructor', 'prototype'), ANY),
    null,
  );
  return fc.tuple(fc.tuple(...fields), extra).map(([present, more]) => {
    const object: Record<string, unknown> = {};
    for (const entry of [...present, more])
      if (entry)
        Object.defineProperty(object, entry[0], { value: entry[1], enumerable: true, writable: true });
    return object;
  });
}

/** `usual`, and one time in twenty `odd`. */
function rarely<T, U>(odd: fc.Arbitrary<T>, usual: U): fc.Arbitrary<T | U> {
  return fc.oneof({ weight: 19, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: odd });
}

const text = (minLength: number, maxLength: number) => fc.string({ minLength, maxLength });
/** Mostly valid: a rule's edge one time in twenty. */
const mostly = <T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 19, arbitrary: valid }, { weight: 1, arbitrary: edge });
const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));

const connectorCall = payload({
  operation: mostly(fc.constantFrom('create-or-converge', 'modify', 'delete'), fc.constant('rename')),
  target: text(1, 12),
  attributes: fc.array(text(0, 4), { maxLength: 3 }),
  group: text(0, 12),
  durationMs: mostly(fc.nat(5000), fc.constantFrom(-1, 1.5)),
});

const reportItem = payload({
  assignmentId: fc.uuid(),
  orderId: mostly(text(1, 8), fc.constant('')),
  attempt: mostly(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, 1.5)),
  outcome: fc.constantFrom('executed', 'errored'),
  error: mostly(text(1, 10), fc.constantFrom('', 'e'.repeat(4001))),
  connectorCall,
  traceparent: fc.tuple(hex(32), hex(16)).map(([trace, span]) => `00-${trace}-${span}-01`),
  tracestate: text(0, 10),
});

const assignmentItem = payload({
  assignmentId: fc.uuid(),
  identityId: text(1, 8),
  entitlementId: mostly(fc.constant('ldap_staff'), fc.constant('')),
  startsAt: mostly(
    fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.constant('2026-13-01'),
  ),
  comment: text(0, 10),
});

const identityItem = payload({
  id: fc.stringMatching(/^[a-z][a-z.]{0,8}$/),
  login: text(1, 8),
  firstName: text(1, 8),
  lastName: text(1, 8),
  email: mostly(fc.constant('a@example.test'), fc.constant('not an email')),
  department: fc.constantFrom('Finance', 'Sales'),
});

const batchOf = (item: fc.Arbitrary<unknown>, caller: Record<string, fc.Arbitrary<unknown>>) =>
  payload({
    ...caller,
    items: fc.oneof(
      { weight: 12, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }) },
      {
        weight: 1,
        arbitrary: fc.array(item, { minLength: 64, maxLength: 65 }),
      },
    ),
  });

const CALLER = { actor: fc.constantFrom('gateway', 'alice'), correlationId: text(0, 8) };

const leaf = payload({ name: fc.oneof(text(0, 4), fc.array(text(0, 4), { maxLength: 2 })) });
const weight = mostly(fc.nat(3), fc.constant(-1));
const weights = fc.oneof(weight, fc.array(weight, { maxLength: 2 }));
const node = (children: fc.Arbitrary<unknown>) =>
  payload({ kind: mostly(fc.constantFrom('node', 'root'), fc.constant('leaf')), weights, children, leaf });
const tree = node(fc.array(node(fc.constant([])), { maxLength: 2 }));

const CASES: [string, DtoClass, fc.Arbitrary<unknown>][] = [
  ['OrderReportBatchMessage', OrderReportBatchMessage, batchOf(reportItem, { actor: fc.constant('agent') })],
  ['RequestAssignmentBatchMessage', RequestAssignmentBatchMessage, batchOf(assignmentItem, CALLER)],
  ['RegisterIdentityBatchMessage', RegisterIdentityBatchMessage, batchOf(identityItem, CALLER)],
  ['a class nested in itself', Node, tree],
];

describe('the compiled validation of nested command payloads', () => {
  it.each(CASES)(
    'accepts and refuses %s as Nest and class-validator do, with the same instance or the same fields and rules',
    async (_name, dto, payloads) => {
      const seen = { accepted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(payloads, async (value) => {
          // As the payload arrives: JSON text parsed, so `__proto__` can be an own key.
          const wire = JSON.stringify(value);
          const compiled = await outcome(compiledPipe, JSON.parse(wire), dto);
          // Strict: the nested objects are instances of the same classes, nothing more is set.
          expect(compiled).toStrictEqual(await outcome(nestPipe, JSON.parse(wire), dto));
          seen['accepted' in compiled ? 'accepted' : 'refused']++;
          // What passes is decided by the plan alone, without class-validator (but for the keys
          // Nest's pipe strips, which it leaves to that pipe).
          if ('accepted' in compiled && !STRIPPED.test(wire))
            expect(acceptedBody(dto, JSON.parse(wire))).toBeDefined();
        }),
        // A fixed seed: the same payloads on every run, so that the counts below cannot turn red by chance.
        { numRuns: 200, seed: 20_261_203 },
      );
      expect(seen.accepted).toBeGreaterThan(20);
      expect(seen.refused).toBeGreaterThan(20);
    },
  );

  it("takes Nest's path for every payload under options the plan does not model", async () => {
    const nest = jest.spyOn(ValidationPipe.prototype, 'transform');
    const skipping = natsValidationPipe({ skipMissingProperties: true });
    const accepted = await skipping.transform({}, { type: 'body', metatype: Leaf });
    expect(nest).toHaveBeenCalledTimes(1);
    nest.mockRestore();
    expect(accepted).toBeInstanceOf(Leaf);
  });

  it('answers a valid report batch without class-validator, and refuses a bad one naming the field and the rule', async () => {
    const nest = jest.spyOn(ValidationPipe.prototype, 'transform');
    const connectorCall = { operation: 'modify', target: 'uid=a', attributes: ['member'], durationMs: 3 };
    const assignmentId = '3f1c2a9e-8b4d-4c55-9a7e-2d6f1b0c4e11';
    const report = { assignmentId, orderId: 'o-1', attempt: 1, outcome: 'executed', connectorCall };
    const accepted = await compiledPipe.transform(
      { actor: 'agent', items: [report] },
      { type: 'body', metatype: OrderReportBatchMessage },
    );
    expect(nest).not.toHaveBeenCalled();
    expect(accepted).toBeInstanceOf(OrderReportBatchMessage);
    expect((accepted as OrderReportBatchMessage).items[0].connectorCall).toEqual(connectorCall);
    const refused = await outcome(
      compiledPipe,
      { actor: 'agent', items: [report, { ...report, attempt: 0 }] },
      OrderReportBatchMessage,
    );
    expect(nest).toHaveBeenCalledTimes(1);
    nest.mockRestore();
    expect(refused).toEqual({
      refused: expect.objectContaining({
        code: 'ValidationFailed',
        details: [{ field: 'items.1.attempt', rule: 'min', message: 'attempt must not be less than 1' }],
      }),
    });
  });
});

import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Min,
  MinLength,
  ValidateNested,
  validate,
} from 'class-validator';
import { RpcException } from '@nestjs/microservices';
import { flattenValidationErrors, natsValidationPipe, validationFailedPayload } from './nats-validation-pipe';

class AttributesDto {
  @IsEmail()
  mail!: string;
}

class MemberDto {
  @IsString()
  id!: string;
}

class RegisterIdentityDto {
  @IsString()
  @MinLength(2)
  login!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  level?: number;

  @IsDefined()
  @ValidateNested()
  @Type(() => AttributesDto)
  attributes!: AttributesDto;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => MemberDto)
  members?: MemberDto[];
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('natsValidationPipe', () => {
  const metadata = { type: 'body' as const, metatype: RegisterIdentityDto, data: undefined };

  it('flattens nested errors into dotted paths, one entry per rule', async () => {
    const dto = Object.assign(new RegisterIdentityDto(), {
      login: 'x',
      attributes: Object.assign(new AttributesDto(), { mail: 'nope' }),
      members: [Object.assign(new MemberDto(), { id: 'ok' }), Object.assign(new MemberDto(), { id: 7 })],
    });
    const violations = flattenValidationErrors(await validate(dto));
    expect(violations).toEqual([
      { field: 'login', rule: 'minLength', message: 'login must be longer than or equal to 2 characters' },
      { field: 'attributes.mail', rule: 'isEmail', message: 'mail must be an email' },
      { field: 'members.1.id', rule: 'isString', message: 'id must be a string' },
    ]);
  });

  it('builds the ValidationFailed payload with a message naming every field', async () => {
    const payload = validationFailedPayload(
      await validate(Object.assign(new RegisterIdentityDto(), { login: 5 })),
    );
    expect(payload.code).toBe('ValidationFailed');
    expect(payload.status).toBe(400);
    expect(payload.message).toContain('invalid login: login must be a string');
    expect(payload.message).toContain('invalid attributes: ');
    expect(payload.message.split('; ').every((part) => part.startsWith('invalid '))).toBe(true);
    expect(payload.details).toEqual(
      expect.arrayContaining([{ field: 'login', rule: 'isString', message: 'login must be a string' }]),
    );
  });

  it('rejects with an RpcException carrying the payload, also for unknown properties', async () => {
    const pipe = natsValidationPipe();
    const error = await rejectionOf(
      pipe.transform(
        { login: 'alice', attributes: { mail: 'a@example.org', extra: 1 }, isAdmin: true },
        metadata,
      ),
    );
    expect(error).toBeInstanceOf(RpcException);
    const payload = (error as RpcException).getError() as {
      status: number;
      details: { field: string; rule: string }[];
    };
    expect(payload.status).toBe(400);
    expect(payload.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'isAdmin', rule: 'whitelistValidation' }),
        expect.objectContaining({ field: 'attributes.extra', rule: 'whitelistValidation' }),
      ]),
    );
  });

  it('does not echo the offending values', async () => {
    const error = await rejectionOf(
      natsValidationPipe().transform(
        { login: 's3cr3t-token-value-as-number', level: -1, attributes: { mail: 'x' } },
        metadata,
      ),
    );
    expect(JSON.stringify((error as RpcException).getError())).not.toContain('s3cr3t');
  });

  it('turns valid plain JSON into the DTO class', async () => {
    const value = await natsValidationPipe().transform(
      { login: 'alice', attributes: { mail: 'a@example.org' } },
      metadata,
    );
    expect(value).toBeInstanceOf(RegisterIdentityDto);
    expect(value.attributes).toBeInstanceOf(AttributesDto);
  });

  it('reports an empty error list as an invalid payload', () => {
    expect(validationFailedPayload([])).toEqual({
      code: 'ValidationFailed',
      status: 400,
      message: 'invalid payload',
      details: [],
    });
  });
});

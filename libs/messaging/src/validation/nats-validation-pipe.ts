import { ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { CommandErrorCodes, CommandErrorPayload } from '../errors/command-error-payload';
import { CompiledValidationPipe } from './compiled-validation-pipe';

/** One offending field of a command payload. */
export interface FieldViolation {
  /** Dotted path into the payload: `attributes.mail`, `members.2.id`. */
  field: string;
  /** The class-validator constraint that failed (`isString`, `whitelistValidation`, ...). */
  rule: string;
  message: string;
}

/**
 * Flattens class-validator's tree of errors into one entry per failed rule. Nested objects and
 * arrays (`@ValidateNested`) report their children with the parent path in front, so the
 * gateway can answer "invalid attributes.mail" rather than "invalid attributes".
 */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  parentPath = '',
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const error of errors) {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      violations.push({ field, rule, message });
    }
    if (error.children && error.children.length > 0) {
      violations.push(...flattenValidationErrors(error.children, field));
    }
  }
  return violations;
}

/**
 * The 400 payload for failed validation:
 * `{code: 'ValidationFailed', status: 400, message: 'invalid login: login must be a string; ...', details: [...]}`.
 */
export function validationFailedPayload(errors: readonly ValidationError[]): CommandErrorPayload {
  const details = flattenValidationErrors(errors);
  const message =
    details.length === 0
      ? 'invalid payload'
      : details.map((violation) => `invalid ${violation.field}: ${violation.message}`).join('; ');
  return { code: CommandErrorCodes.ValidationFailed, status: 400, message, details };
}

/**
 * The exception the pipe throws. An `RpcException` carrying the payload object, so even a
 * service without `CommandExceptionFilter` sends the 400 payload as it is (Nest passes an
 * `RpcException`'s object through) instead of "Internal server error".
 */
export function validationException(errors: ValidationError[]): RpcException {
  return new RpcException(validationFailedPayload(errors));
}

/**
 * A `ValidationPipe` for command payloads: strips nothing silently (unknown properties are an
 * error, because a misspelt optional field would otherwise just vanish), converts the plain
 * JSON into the DTO class, and fails with a {@link validationFailedPayload}. A payload that passes
 * is decided by the DTO's compiled plan (ADR 0072), without class-validator's per-payload lookups.
 *
 * Use it globally (`app.useGlobalPipes(natsValidationPipe())`) or per handler
 * (`@Payload(natsValidationPipe()) dto: RequestAssignmentDto`).
 */
export function natsValidationPipe(
  options: Omit<ValidationPipeOptions, 'exceptionFactory'> = {},
): ValidationPipe {
  return new CompiledValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Messages name the field and the rule; the values themselves stay out (they may be secrets).
    validationError: { target: false, value: false },
    ...options,
    exceptionFactory: validationException,
  });
}

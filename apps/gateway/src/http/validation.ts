import {
  type ArgumentMetadata,
  BadRequestException,
  ValidationError,
  ValidationPipe,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { acceptedBody, type DtoClass } from './compiled-validation';

interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** Every failed rule of `errors`, the field named by its path from `parent` (a.b.c). */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

/** The global pipe's options: whitelisted bodies and queries, and a 400 naming every offending field. */
export const HTTP_VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const problems = fieldProblems(errors);
    return new BadRequestException({
      code: 'ValidationFailed',
      message: `invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      details: problems,
    });
  },
};

/** The parameter types Nest's pipe never validates (ValidationPipe.toValidate). */
const UNVALIDATED: unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];

/**
 * Nest's ValidationPipe with a shortcut for the bodies that pass (ADR 0059): a DTO's rules are
 * read once from class-validator's metadata ({@link compileDto}) instead of looked up and grouped
 * again on every request, and a flat body that satisfies them becomes the instance
 * class-transformer would have built. Anything else — a failing body, a DTO the plan does not
 * model — goes through Nest's pipe as before, so every 400 names the same fields and rules.
 */
export class CompiledValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    const validated = type !== 'custom' && metatype !== undefined && !UNVALIDATED.includes(metatype);
    return (validated && acceptedBody(metatype as DtoClass, value)) || super.transform(value, metadata);
  }
}

/** Request bodies and queries are validated and whitelisted; a 400 names every offending field. */
export function httpValidationPipe(): ValidationPipe {
  return new CompiledValidationPipe(HTTP_VALIDATION_OPTIONS);
}

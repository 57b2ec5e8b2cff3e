import {
  BadRequestException,
  ValidationError,
  ValidationPipe,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { CompiledValidationPipe } from '@prov/messaging';

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

/**
 * Request bodies and queries are validated and whitelisted; a 400 names every offending field.
 * A body that passes is decided by its DTO's compiled plan (ADR 0059).
 */
export function httpValidationPipe(): ValidationPipe {
  return new CompiledValidationPipe(HTTP_VALIDATION_OPTIONS);
}

import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

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

/** Request bodies and queries are validated and whitelisted; a 400 names every offending field. */
export function httpValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
  });
}

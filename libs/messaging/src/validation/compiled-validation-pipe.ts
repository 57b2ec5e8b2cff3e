import { type ArgumentMetadata, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { acceptedBody, type DtoClass } from './compiled-validation';

/** The parameter types Nest's pipe never validates (ValidationPipe.toValidate). */
const UNVALIDATED: unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];

/** What refusals say (not which payloads pass) may be set freely. */
const PLANNED_OPTIONS = new Set([
  'whitelist',
  'forbidNonWhitelisted',
  'transform',
  'exceptionFactory',
  'validationError',
]);

/**
 * The options under which a compiled plan decides as class-validator would: whitelisted and
 * transformed, every rule of every group, nothing skipped. Any other option keeps Nest's path.
 */
function planApplies(options: ValidationPipeOptions): boolean {
  return (
    options.whitelist === true &&
    options.forbidNonWhitelisted === true &&
    options.transform === true &&
    Object.keys(options).every((option) => PLANNED_OPTIONS.has(option))
  );
}

/**
 * Nest's ValidationPipe with a shortcut for the payloads that pass (ADRs 0059 and 0072): a DTO's
 * rules are read once from class-validator's metadata ({@link acceptedBody}) instead of looked up
 * and grouped again for every payload, and a payload that satisfies them — nested objects and
 * arrays of them included — becomes the instance class-transformer would have built. Anything
 * else (a failing payload, a DTO the plan does not model) goes through Nest's pipe as before, so
 * every refusal names the same fields and rules.
 */
export class CompiledValidationPipe extends ValidationPipe {
  private readonly compiled: boolean;

  constructor(options: ValidationPipeOptions) {
    super(options);
    this.compiled = planApplies(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    const validated =
      this.compiled && type !== 'custom' && metatype !== undefined && !UNVALIDATED.includes(metatype);
    return (validated && acceptedBody(metatype as DtoClass, value)) || super.transform(value, metadata);
  }
}

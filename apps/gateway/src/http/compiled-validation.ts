import { getMetadataStorage, type ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/** A DTO class as the pipe receives it (Nest's `metatype`). */
export type DtoClass = new () => object;

/**
 * class-transformer's own metadata (what `@Type`, `@Transform`, `@Expose` and `@Exclude` record);
 * the package exports it only from its CommonJS build, as @nestjs/mapped-types reads it too.
 */
interface TransformerStorage {
  findTypeMetadata(target: DtoClass, property: string): unknown;
  findTransformMetadatas(target: DtoClass, property: string, transformationType: number): unknown[];
  findExposeMetadata(target: DtoClass, property: string): unknown;
  findExcludeMetadata(target: DtoClass, property: string): unknown;
  getExposedMetadatas(target: DtoClass): unknown[];
  getExcludedMetadatas(target: DtoClass): unknown[];
}
const transformerModule =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerStorage };
const transformerStorage = transformerModule.defaultMetadataStorage;
/** class-transformer's TransformationType.PLAIN_TO_CLASS. */
const PLAIN_TO_CLASS = 0;

type Condition = (object: object, value: unknown) => boolean;

/** One rule of a property: class-validator's own constraint functions, as its executor calls them. */
interface Rule {
  metadata: ValidationMetadata;
  validators: { validate(value: unknown, args: ValidationArguments): unknown }[];
}

interface PropertyPlan {
  name: string;
  /** `@IsOptional()` and `@ValidateIf()`: when one says no, the property's rules are skipped. */
  conditions: Condition[];
  rules: Rule[];
}

/**
 * What a DTO asks of a request body, read once from class-validator's metadata: the properties
 * it allows and, for each, the same constraint functions class-validator's executor would call
 * (so no rule is written twice). Only decides "valid"; the caller runs class-validator itself
 * for anything else, which then names the fields and rules exactly as before.
 */
export interface CompiledDto {
  /** The instance class-transformer would build, when every rule holds; otherwise undefined. */
  accept(value: unknown): object | undefined;
}

function isPromise(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * A body JSON.parse (or the query parser) made, with values class-transformer passes on as they
 * are: a string, number, boolean or null (nested objects and arrays take class-validator's path).
 */
function flatPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) {
    // The pipe strips a `__proto__` key before class-transformer sees it; that path keeps doing so.
    if (key === '__proto__') return false;
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'object' && field !== null) return false;
  }
  return true;
}

/** No class-transformer metadata touches the class or the properties it validates. */
function plainTransform(target: DtoClass, properties: string[]): boolean {
  if (transformerStorage.getExposedMetadatas(target).length) return false;
  if (transformerStorage.getExcludedMetadatas(target).length) return false;
  return properties.every(
    (property) =>
      !transformerStorage.findTypeMetadata(target, property) &&
      !transformerStorage.findExposeMetadata(target, property) &&
      !transformerStorage.findExcludeMetadata(target, property) &&
      transformerStorage.findTransformMetadatas(target, property, PLAIN_TO_CLASS).length === 0,
  );
}

/**
 * The plan of `target`, or undefined when it uses what the plan does not model (nested
 * validation, `each`, async or `@IsDefined` rules, class-transformer decorators): those DTOs keep
 * class-validator's path for every request.
 */
export function compileDto(target: DtoClass): CompiledDto | undefined {
  const storage = getMetadataStorage();
  // The same call, with the same arguments, as the executor under the gateway's options (no groups).
  const metadatas = storage.getTargetValidationMetadatas(target, '', false, false, undefined);
  if (metadatas.length === 0) return undefined;
  const plans = new Map<string, PropertyPlan>();
  for (const metadata of metadatas) {
    let plan = plans.get(metadata.propertyName);
    if (!plan)
      plans.set(metadata.propertyName, (plan = { name: metadata.propertyName, conditions: [], rules: [] }));
    if (metadata.type === ValidationTypes.WHITELIST) continue;
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      plan.conditions.push(metadata.constraints[0] as Condition);
      continue;
    }
    if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION || metadata.each || !metadata.constraintCls)
      return undefined;
    const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
    if (constraints.some((constraint) => constraint.async)) return undefined;
    plan.rules.push({ metadata, validators: constraints.map((constraint) => constraint.instance) });
  }
  if (!plainTransform(target, [...plans.keys()])) return undefined;
  const properties = [...plans.values()];
  const Dto = target as new () => object;
  return {
    accept(value) {
      if (!flatPlainObject(value)) return undefined;
      // As class-transformer builds it: the class's own initialisers, then the body's keys.
      const entity = Object.assign(new Dto(), value) as Record<string, unknown>;
      for (const key of Object.keys(entity)) if (!plans.has(key)) return undefined;
      for (const property of properties) if (!holds(entity, property)) return undefined;
      return entity;
    },
  };
}

const compiled = new WeakMap<DtoClass, CompiledDto | null>();

/**
 * `value` as an instance of `target` when it is a flat body every rule of `target` accepts;
 * undefined when class-validator has to decide (and to say what is wrong). Compiled once per class.
 */
export function acceptedBody<T extends object>(target: new () => T, value: unknown): T | undefined {
  let dto = compiled.get(target);
  if (dto === undefined) compiled.set(target, (dto = compileDto(target) ?? null));
  return dto?.accept(value) as T | undefined;
}

/** Every rule of the property holds for the entity (or its conditions skip it), as class-validator decides. */
function holds(entity: Record<string, unknown>, property: PropertyPlan): boolean {
  const value = entity[property.name];
  for (const condition of property.conditions) if (!condition(entity, value)) return true;
  for (const { metadata, validators } of property.rules) {
    if (metadata.validateIf && !metadata.validateIf(entity, value)) continue;
    const args: ValidationArguments = {
      targetName: entity.constructor.name,
      property: metadata.propertyName,
      object: entity,
      value,
      constraints: metadata.constraints,
    };
    for (const validator of validators) {
      const valid = validator.validate(value, args);
      if (isPromise(valid) || !valid) return false;
    }
  }
  return true;
}

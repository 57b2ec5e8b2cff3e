import { getMetadataStorage, type ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { nestedType, plainTransform } from './transformer-metadata';

/** A DTO class as the pipe receives it (Nest's `metatype`). */
export type DtoClass = new () => object;

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
  /** `@ValidateNested()` with `@Type(() => Nested)`: the class each object in the value becomes. */
  nested?: DtoClass;
  /** Whether class-validator looks into the value (`@ValidateNested()`). */
  validatesNested: boolean;
}

/**
 * What a DTO asks of a payload, read once from class-validator's metadata: the properties it
 * allows and, for each, the same constraint functions class-validator's executor would call (so
 * no rule is written twice), and the class of each nested object. Only decides "valid"; the
 * caller runs class-validator itself for anything else, which then names the fields and rules
 * exactly as before.
 */
export interface CompiledDto {
  /** The instance class-transformer would build, when every rule holds; otherwise undefined. */
  accept(value: unknown): object | undefined;
}

/** Returned by {@link copyValue} for a value the plan leaves to class-transformer and class-validator. */
const UNDECIDED = Symbol('undecided');

/**
 * Keys Nest's pipe deletes from every object before class-transformer sees it (`stripProtoKeys`):
 * a payload that has one takes that path, which keeps doing so.
 */
const STRIPPED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isPromise(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** An object JSON.parse made (class-transformer guesses no type from it). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The plan of `target`, or undefined when it uses what the plan does not model (async rules,
 * promise validation, class-transformer decorators other than a nested `@Type`, nesting without
 * `@Type`): those DTOs keep class-validator's path for every payload.
 */
export function compileDto(target: DtoClass): CompiledDto | undefined {
  const storage = getMetadataStorage();
  // The same call as the executor under these pipes' options (no groups). Its schema argument
  // (the parent's class name, for a nested class) only matches metadata registered under a
  // schema name, and classes' metadata are stored under the class itself.
  const metadatas = storage.getTargetValidationMetadatas(target, '', false, false, undefined);
  if (metadatas.length === 0) return undefined;
  const plans = new Map<string, PropertyPlan>();
  for (const metadata of metadatas) {
    const name = metadata.propertyName;
    let plan = plans.get(name);
    if (!plan) plans.set(name, (plan = { name, conditions: [], rules: [], validatesNested: false }));
    if (metadata.type === ValidationTypes.WHITELIST) continue;
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      plan.conditions.push(metadata.constraints[0] as Condition);
      continue;
    }
    if (metadata.type === ValidationTypes.NESTED_VALIDATION) {
      plan.validatesNested = true;
      continue;
    }
    const custom =
      metadata.type === ValidationTypes.CUSTOM_VALIDATION || metadata.type === ValidationTypes.IS_DEFINED;
    if (!custom || !metadata.constraintCls) return undefined;
    const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
    if (constraints.some((constraint) => constraint.async)) return undefined;
    plan.rules.push({ metadata, validators: constraints.map((constraint) => constraint.instance) });
  }
  const Dto = target as new () => object;
  const blank = new Dto() as Record<string, unknown>;
  for (const plan of plans.values()) {
    const nested = nestedType(target, plan.name);
    if (nested === null || (nested !== undefined) !== plan.validatesNested) return undefined;
    plan.nested = nested;
    // class-transformer skips a key that names a method or a getter of the class.
    if (typeof blank[plan.name] === 'function' || Object.getOwnPropertyDescriptor(Dto.prototype, plan.name))
      return undefined;
  }
  if (!plainTransform(target, [...plans.keys()])) return undefined;
  const properties = [...plans.values()];
  return {
    accept(value) {
      if (!isPlainObject(value)) return undefined;
      // As class-transformer builds it: the class's own initialisers, then the payload's keys.
      const entity = new Dto() as Record<string, unknown>;
      for (const key of Object.keys(value)) {
        const plan = plans.get(key);
        if (!plan || STRIPPED_KEYS.has(key)) return undefined;
        const copy = copyValue(value[key], plan.nested);
        if (copy === UNDECIDED) return undefined;
        entity[key] = copy;
      }
      // Whitelisted: an initialiser's key without a rule is refused as a payload's would be.
      for (const key of Object.keys(entity)) if (!plans.has(key)) return undefined;
      for (const property of properties) if (!holds(entity, property)) return undefined;
      return entity;
    },
  };
}

/**
 * A property's value as class-transformer copies it: a primitive or null as it is, an array item
 * by item, an object (alone or in the array) of a nested property as its class's instance, built
 * and checked by that class's plan. Anything else is for class-transformer.
 */
function copyValue(value: unknown, nested: DtoClass | undefined): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let index = 0; index < value.length; index++) {
      // A gap: Nest closes it first, then class-transformer's copy would skip it.
      if (!(index in value)) return UNDECIDED;
      const item: unknown = value[index];
      if (nested) {
        const built = acceptedBody(nested, item);
        if (!built) return UNDECIDED;
        items.push(built);
      } else if (typeof item === 'object' && item !== null) return UNDECIDED;
      else items.push(item);
    }
    return items;
  }
  return (nested && acceptedBody(nested, value)) || UNDECIDED;
}

const compiled = new WeakMap<DtoClass, CompiledDto | null>();

/**
 * `value` as an instance of `target` when every rule of `target` (and of its nested classes)
 * accepts it; undefined when class-validator has to decide (and to say what is wrong). Compiled
 * once per class.
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
    const items = metadata.each && Array.isArray(value) ? (value as unknown[]) : [value];
    for (const validator of validators) {
      for (const item of items) {
        const valid = validator.validate(item, args);
        if (isPromise(valid) || !valid) return false;
      }
    }
  }
  // A nested value was built (and checked) by its class's plan; a primitive there is an error.
  if (property.validatesNested && value !== undefined && (typeof value !== 'object' || value === null))
    return false;
  return true;
}

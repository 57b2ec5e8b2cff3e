import type { DtoClass } from './compiled-validation';

interface TypeMetadata {
  reflectedType?: unknown;
  typeFunction?: (options?: unknown) => unknown;
  options?: { discriminator?: unknown };
}

/**
 * class-transformer's own metadata (what `@Type`, `@Transform`, `@Expose` and `@Exclude` record);
 * the package exports it only from its CommonJS build, as @nestjs/mapped-types reads it too.
 */
interface TransformerStorage {
  findTypeMetadata(target: DtoClass, property: string): TypeMetadata | undefined;
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

/** No class-transformer metadata but `@Type` touches the class or the properties it validates. */
export function plainTransform(target: DtoClass, properties: string[]): boolean {
  if (transformerStorage.getExposedMetadatas(target).length) return false;
  if (transformerStorage.getExcludedMetadatas(target).length) return false;
  return properties.every(
    (property) =>
      !transformerStorage.findExposeMetadata(target, property) &&
      !transformerStorage.findExcludeMetadata(target, property) &&
      transformerStorage.findTransformMetadatas(target, property, PLAIN_TO_CLASS).length === 0,
  );
}

/**
 * The class `@Type(() => Nested)` makes of an object in `property` (undefined without `@Type`),
 * or null when class-transformer would do more than build that class: a discriminator, a type
 * function that reads the value, or a declared type that makes an array other than a plain one.
 */
export function nestedType(target: DtoClass, property: string): DtoClass | undefined | null {
  const metadata = transformerStorage.findTypeMetadata(target, property);
  if (!metadata) return undefined;
  if (metadata.options?.discriminator || !metadata.typeFunction) return null;
  // class-transformer makes an array value `new reflectedType()`, or [] when that cannot `push`.
  const reflected = metadata.reflectedType;
  if (typeof reflected === 'function' && reflected !== Array) {
    const prototype = (reflected as { prototype?: object }).prototype;
    if (reflected === Set || (prototype !== undefined && 'push' in prototype)) return null;
  }
  let type: unknown;
  try {
    type = metadata.typeFunction({ newObject: undefined, object: undefined, property });
  } catch {
    return null;
  }
  if (typeof type !== 'function' || [String, Number, Boolean, Date, Buffer, Object].includes(type as never))
    return null;
  return type as DtoClass;
}

import { applyDecorators, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { plainToInstance } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { validate } from 'class-validator';
import { MAX_BATCH_COMMAND_ITEMS } from '@prov/contracts';
import { acceptedBody, CommandError } from '@prov/messaging';
import { fieldProblems } from './validation';

/** Items per batch call: a first load of 100,000 people is 100 calls, and one call stays well under a minute. */
export const MAX_BATCH_ITEMS = 1000;
/**
 * Commands of one batch in flight at once, each of up to MAX_BATCH_COMMAND_ITEMS items that the
 * service carries out together: enough to keep the services busy, few enough to leave room for
 * other callers (ADR 0045).
 */
export const BATCH_COMMANDS_IN_FLIGHT = 2;
/** The JSON of one command's items at most, far below NATS's 1 MiB payload limit. */
export const BATCH_COMMAND_BYTES = 256 * 1024;

export class BatchBody {
  @ApiProperty({
    description: `1 to ${MAX_BATCH_ITEMS} items, each the body of the single-item call; each is validated and carried out on its own`,
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_ITEMS, { message: `items must hold at most ${MAX_BATCH_ITEMS} entries` })
  items!: unknown[];
}

export class BatchItemProblem {
  @ApiProperty({ example: 'items[3].entitlementId' }) field!: string;
  @ApiProperty({ example: 'minLength' }) rule!: string;
  @ApiProperty() message!: string;
}

export class BatchItemError {
  @ApiProperty({ example: 400, description: 'the status the single-item call would have answered' })
  status!: number;
  @ApiProperty({ example: 'ValidationFailed' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [BatchItemProblem] }) details?: unknown;
}

export class BatchItemResult {
  @ApiProperty({ description: 'position of the item in `items`' }) index!: number;
  @ApiProperty({ enum: ['created', 'existing', 'error'] }) result!: 'created' | 'existing' | 'error';
  @ApiPropertyOptional({ description: 'the id of what was created or found (assignmentId or identityId)' })
  id?: string;
  @ApiPropertyOptional({ type: BatchItemError }) error?: BatchItemError;
}

export class BatchResponse {
  @ApiProperty({ type: [BatchItemResult], description: 'one per item, in the order of `items`' })
  results!: BatchItemResult[];
  @ApiProperty() created!: number;
  @ApiProperty() existing!: number;
  @ApiProperty() errors!: number;
}

/** POST <resource>/batch for requesters, answered 200 with one result per item, as OpenAPI says. */
export function BatchRoute(existing: string) {
  return applyDecorators(
    Post('batch'),
    Roles('requester'),
    HttpCode(200),
    ApiResponse({
      status: 200,
      type: BatchResponse,
      description: `one result per item, in order: created, existing (${existing}) or error (status, code, message; details name items[i].<field> and the rule)`,
    }),
    ApiResponse({ status: 400, description: `items missing, empty or longer than ${MAX_BATCH_ITEMS}` }),
  );
}

/** The item as an instance of the single call's body, or the 400 that call would have answered, naming `items[i].<field>`. */
export async function validateItem<T extends object>(
  type: new () => T,
  item: unknown,
  index: number,
): Promise<{ value: T } | { error: BatchItemError }> {
  const field = `items[${index}]`;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    const message = `${field} must be an object`;
    return {
      error: {
        status: 400,
        code: 'ValidationFailed',
        message,
        details: [{ field, rule: 'isObject', message }],
      },
    };
  }
  const accepted = acceptedBody(type, item);
  if (accepted) return { value: accepted };
  const value = plainToInstance(type, item);
  const found = fieldProblems(await validate(value, { whitelist: true, forbidNonWhitelisted: true }), field);
  if (found.length === 0) return { value };
  return {
    error: {
      status: 400,
      code: 'ValidationFailed',
      message: `invalid item: ${found.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      details: found,
    },
  };
}

/** What a failed command means for its item; anything but a command's own answer is not explained to the caller. */
const logger = new Logger('Batch');

export function itemError(error: unknown): BatchItemError {
  if (error instanceof CommandError && error.status < 500) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    };
  }
  if (error instanceof CommandError)
    return { status: error.status, code: error.code, message: error.message };
  logger.error({ msg: 'batch item failed', error: String((error as Error)?.message ?? error) });
  return {
    status: 500,
    code: 'InternalError',
    message: 'the item could not be carried out; it may be retried',
  };
}

/** What a command answered for one item: its id and whether it was created, or its error. */
export type ItemOutcome = { id: string; created: boolean } | { error: BatchItemError };

/**
 * How many of `bytes` (JSON sizes of the items waiting, in order), from `from` on, go into the
 * next command: at most MAX_BATCH_COMMAND_ITEMS items and about BATCH_COMMAND_BYTES, but always
 * at least one, so that an item larger than that still goes, on its own.
 */
export function sliceLength(bytes: readonly number[], from = 0): number {
  let count = 0;
  let total = 0;
  while (
    from + count < bytes.length &&
    count < MAX_BATCH_COMMAND_ITEMS &&
    (count === 0 || total + bytes[from + count] <= BATCH_COMMAND_BYTES)
  ) {
    total += bytes[from + count];
    count++;
  }
  return count;
}

/** The valid items' indices in slices of sliceLength items. */
function slices(valid: { index: number; bytes: number }[]): number[][] {
  const bytes = valid.map((item) => item.bytes);
  const out: number[][] = [];
  for (let from = 0; from < valid.length;) {
    const count = sliceLength(bytes, from);
    out.push(valid.slice(from, from + count).map((item) => item.index));
    from += count;
  }
  return out;
}

/**
 * Carries out every item: invalid ones are answered without a command; the valid ones go in
 * slices to `run`, BATCH_COMMANDS_IN_FLIGHT slices at once, which answers one outcome per item
 * of its slice or throws the command's error, which then is every item's of the slice.
 */
export async function runBatch<T extends object>(
  items: unknown[],
  type: new () => T,
  run: (values: T[]) => Promise<ItemOutcome[]>,
): Promise<BatchResponse> {
  const results: BatchItemResult[] = new Array(items.length);
  const values: T[] = new Array(items.length);
  const valid: { index: number; bytes: number }[] = [];
  for (let index = 0; index < items.length; index++) {
    const checked = await validateItem(type, items[index], index);
    if ('error' in checked) results[index] = { index, result: 'error', error: checked.error };
    else {
      values[index] = checked.value;
      valid.push({ index, bytes: JSON.stringify(checked.value).length });
    }
  }
  const pending = slices(valid);
  const worker = async () => {
    for (let slice = pending.shift(); slice; slice = pending.shift()) {
      let outcomes: ItemOutcome[];
      try {
        outcomes = await run(slice.map((index) => values[index]));
      } catch (error) {
        outcomes = slice.map(() => ({ error: itemError(error) }));
      }
      slice.forEach((index, i) => {
        const outcome = outcomes[i];
        results[index] =
          outcome && 'id' in outcome
            ? { index, result: outcome.created ? 'created' : 'existing', id: outcome.id }
            : { index, result: 'error', error: outcome?.error ?? itemError(undefined) };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_COMMANDS_IN_FLIGHT, pending.length) }, worker));
  const count = (result: BatchItemResult['result']) => results.filter((r) => r.result === result).length;
  return { results, created: count('created'), existing: count('existing'), errors: count('error') };
}

import { applyDecorators } from '@nestjs/common';
import { OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { RequestAssignmentMessage } from './assignment.messages';
import { CALLER_FIELDS, CommandCallerDto } from './command-caller';
import { RegisterIdentityMessage } from './identity.messages';

/**
 * Items per batch command (ADR 0045). The gateway's bulk endpoints take up to 1,000 items per
 * call and send them in commands of at most this many: one signature, one message and one
 * validation pass per command instead of per item, while a command still finishes well within
 * the command timeout and stays far below NATS's payload limit.
 */
export const MAX_BATCH_COMMAND_ITEMS = 64;

/** One item of a batch: the single command without the caller, which the batch carries once. */
export class RequestAssignmentItem extends OmitType(RequestAssignmentMessage, CALLER_FIELDS) {}

export class RegisterIdentityItem extends OmitType(RegisterIdentityMessage, CALLER_FIELDS) {}

/** 1 to MAX_BATCH_COMMAND_ITEMS items, each validated as `item` (whitelisted, as the single command). */
export function BatchItems(item: new () => object) {
  return applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_BATCH_COMMAND_ITEMS),
    ValidateNested({ each: true }),
    Type(() => item),
  );
}

/** `request-assignment` for each item, with the batch's caller. */
export class RequestAssignmentBatchMessage extends CommandCallerDto {
  @BatchItems(RequestAssignmentItem)
  items!: RequestAssignmentItem[];
}

/** `register-identity` for each item, with the batch's caller. */
export class RegisterIdentityBatchMessage extends CommandCallerDto {
  @BatchItems(RegisterIdentityItem)
  items!: RegisterIdentityItem[];
}

/**
 * The answer of a batch command: one entry per item, in order, with what the single command
 * would have answered (`value`) or the error it would have answered with (`error`, the command
 * error payload: code, status, message, details).
 */
export interface BatchCommandReply<T> {
  results: ({ value: T } | { error: { code: string; status: number; message: string; details?: unknown } })[];
}

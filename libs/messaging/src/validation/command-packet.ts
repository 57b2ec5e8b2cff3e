import type { ConsumerDeserializer, IncomingRequest } from '@nestjs/microservices';
import { commandErrorPayload, type CommandErrorPayload } from '../errors/command-error-payload';
import type { FieldViolation } from './nats-validation-pipe';
import { DEFAULT_MAX_JSON_DEPTH, inspectJson } from './payload-inspection';

export const MALFORMED_COMMAND = 'MalformedCommand';

/**
 * A command message that is not a command: not UTF-8, not JSON, not Nest's `{id, pattern, data}`
 * packet, nested too deep, or carrying a NUL character. The server answers it with a 400 (when it
 * has a reply subject) and logs it, instead of letting the parse error end the process.
 */
export class MalformedCommandError extends Error {
  override readonly name = 'MalformedCommandError';

  constructor(
    readonly reason: string,
    /** The packet's id when it could be read, so a Nest caller can match the error to its request. */
    readonly packetId?: string,
    readonly violation?: FieldViolation,
  ) {
    super(`malformed command message: ${reason}`);
  }

  toPayload(): CommandErrorPayload {
    return commandErrorPayload(
      MALFORMED_COMMAND,
      400,
      this.message,
      this.violation ? [this.violation] : undefined,
    );
  }
}

/**
 * Parses a command message strictly. Only a complete request packet is accepted: a packet without
 * an id would be run by Nest as a fire-and-forget event, i.e. a command nobody hears the outcome of.
 */
export function parseCommandPacket(data: Uint8Array, maxDepth = DEFAULT_MAX_JSON_DEPTH): IncomingRequest {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new MalformedCommandError('the body is not UTF-8 text');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The parser's message names the position, not the content: safe to pass on.
    throw new MalformedCommandError(`the body is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedCommandError('the body must be a JSON object {"id", "pattern", "data"}');
  }
  const packet = value as Record<string, unknown>;
  const id =
    typeof packet.id === 'string' && packet.id.length > 0 && packet.id.length <= 200 ? packet.id : undefined;
  if (!id)
    throw new MalformedCommandError('the packet needs an id (a non-empty string of at most 200 characters)');
  if (typeof packet.pattern !== 'string')
    throw new MalformedCommandError('the packet needs a pattern (the subject)', id);
  const violation = inspectJson(packet.data, 'data', maxDepth);
  if (violation) throw new MalformedCommandError(violation.message, id, violation);
  return { id, pattern: packet.pattern, data: packet.data };
}

/** Nest's deserializer seam for {@link parseCommandPacket}; throws {@link MalformedCommandError}. */
export class CommandPacketDeserializer implements ConsumerDeserializer {
  constructor(private readonly maxDepth = DEFAULT_MAX_JSON_DEPTH) {}

  deserialize(value: Uint8Array): IncomingRequest {
    return parseCommandPacket(value, this.maxDepth);
  }
}

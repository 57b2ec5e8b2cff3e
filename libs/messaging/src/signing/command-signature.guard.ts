import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { NatsContext, RpcException } from '@nestjs/microservices';
import { commandErrorPayload } from '../errors/command-error-payload';
import type { CommandKeys } from './command-keys';
import { ENGINE_COMMAND_SENDERS, type CommandSenders } from './command-senders';
import { COMMAND_TOKEN_HEADER, CommandRefusedError, SeenTokens, verifyCommand } from './command-token';

export interface CommandVerification {
  keys: Pick<CommandKeys, 'trusted'>;
  /** Who may send what; the engine's table unless a test brings its own. */
  senders?: CommandSenders;
}

/**
 * Refuses every command whose signature does not verify (unsigned, unknown signer, expired,
 * replayed, tampered, or a command its signer may not send) before any pipe or handler runs,
 * and logs the refusal. Installed on every command microservice by `configureCommandMicroservice`.
 */
@Injectable()
export class CommandSignatureGuard implements CanActivate {
  private readonly logger = new Logger('CommandSignature');
  private readonly seen = new SeenTokens();
  private readonly senders: CommandSenders;

  constructor(private readonly verification: CommandVerification) {
    this.senders = verification.senders ?? ENGINE_COMMAND_SENDERS;
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'rpc') return true;
    const rpc = context.switchToRpc();
    const nats = rpc.getContext<NatsContext>();
    const subject = nats.getSubject();
    try {
      const verified = verifyCommand(this.verification.keys, this.senders, {
        subject,
        body: rpc.getData(),
        token: nats.getHeaders()?.get(COMMAND_TOKEN_HEADER) || undefined,
      });
      if (!this.seen.firstSight(verified.jti, verified.expiresAt)) {
        throw new CommandRefusedError(
          'replayed',
          `command ${subject} from ${verified.signer} was already received`,
        );
      }
      return true;
    } catch (error) {
      if (!(error instanceof CommandRefusedError)) throw error;
      this.logger.warn({ msg: 'command refused', subject, reason: error.reason, error: error.message });
      const status = error.reason === 'forbidden' ? 403 : 401;
      throw new RpcException(
        commandErrorPayload('CommandRefused', status, error.message, { reason: error.reason }),
      );
    }
  }
}

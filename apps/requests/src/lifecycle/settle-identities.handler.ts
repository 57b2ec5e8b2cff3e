import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { commandMetadata } from '@prov/command-handling';
import { commandSubject } from '@prov/messaging';
import { CommandCallerDto } from '@prov/contracts';
import { IdentityLifecycleReaction } from './identity-lifecycle.reaction';

/** The most identities one command settles: a page of the complete job's scan. */
export const SETTLE_IDENTITIES_MAX = 200;

export class SettleIdentitiesDto extends CommandCallerDto {
  @IsArray()
  @ArrayMaxSize(SETTLE_IDENTITIES_MAX)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, {
    each: true,
    message: 'identityIds must be identity ids (letters, digits, _ . @ -, at most 100)',
  })
  identityIds!: string[];
}

/** What one settle-identities command did: how many were settled, and the assignments it changed. */
export interface SettleIdentitiesResult {
  settled: number;
  granted: string[];
  revoked: string[];
}

/**
 * The complete job's evaluate task settles the birthright rules of every identity (a page per
 * command) through the same step the lifecycle reaction and the role-model sweep use, so that
 * anything they missed is granted or removed; the job then fulfils the orders that follow.
 */
@Controller()
export class SettleIdentitiesHandler {
  constructor(private readonly lifecycle: IdentityLifecycleReaction) {}

  @MessagePattern(commandSubject('requests', 'settle-identities'))
  async settle(@Payload() dto: SettleIdentitiesDto): Promise<SettleIdentitiesResult> {
    const result: SettleIdentitiesResult = { settled: 0, granted: [], revoked: [] };
    for (const identityId of new Set(dto.identityIds)) {
      const outcome = await this.lifecycle.settle(identityId, commandMetadata(dto, new Date()));
      result.settled++;
      result.granted.push(...outcome.granted);
      result.revoked.push(...outcome.revoked);
    }
    return result;
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { SignIn } from '../hardening/rate-limits';

/**
 * Who the token (or console session) belongs to: the console signs in with it and shows only what the role may do,
 * instead of probing routes and collecting 403s.
 */
@ApiTags('session')
@ApiBearerAuth()
@Controller('session')
export class SessionController {
  @Get()
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @SignIn()
  @ApiOperation({
    summary: "The caller's role, the actor name recorded on its events, and whether a person or a token",
  })
  @ApiOkResponse({ schema: { example: { role: 'reviewer', actor: 'Rita Reviewer (rita)', kind: 'person' } } })
  whoAmI(@CurrentCaller() caller: Caller) {
    return { role: caller.role, actor: caller.actor, kind: caller.kind };
  }
}

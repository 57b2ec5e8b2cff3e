import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { type AssignmentEvent, assignmentDecider, currentOrder, findHolding, stateName } from '@prov/domain';
import { type EventStore, type RecordedEvent, StreamNotFoundError } from '@prov/event-store';
import { EVENT_STORE, identityAttributes, ROLE_MODEL } from '@prov/platform';
import { type RoleModel, traceRules } from '@prov/role-model';
import { Roles } from '../auth/roles.decorator';
import { RoleModelVersionReader } from '../role-model/role-model-versions';
import { type ExplainedEvent, explainAssignment, identityAsOf } from './explain-assignment';
import { AccessExplanationView, AssignmentExplanationView, STEP_VIEWS } from './explain-views';
import { whyAccess } from './why-not';

export class ExplainQuery {
  @ApiPropertyOptional({ example: 'ldap_staff', description: 'the entitlement to explain' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, {
    message: 'entitlement must be an entitlement id (letters, digits, _ . -)',
  })
  entitlement!: string;
}

const READERS = ['requester', 'reviewer', 'operator', 'auditor'] as const;

/** Why an assignment is what it is, and why a person has (or lacks) an entitlement. */
@ApiTags('explain')
@ApiBearerAuth()
@ApiExtraModels(...Object.values(STEP_VIEWS))
@Controller()
export class ExplainController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly versions: RoleModelVersionReader,
  ) {}

  @Get('assignments/:id/explain')
  @Roles(...READERS)
  @ApiOkResponse({ type: AssignmentExplanationView })
  async assignment(@Param('id', new ParseUUIDPipe()) id: string): Promise<AssignmentExplanationView> {
    const events = await this.read(`assignment-${id}`);
    const requested = events.find((e) => e.type === 'AssignmentRequested');
    const explanation = requested && (await this.explain(events, String(requested.data.identityId)));
    if (!explanation)
      throw new NotFoundException({ code: 'AssignmentNotFound', message: `assignment ${id} does not exist` });
    return explanation;
  }

  @Get('identities/:id/explain')
  @Roles(...READERS)
  @ApiOkResponse({ type: AccessExplanationView })
  async identity(@Param('id') id: string, @Query() query: ExplainQuery): Promise<AccessExplanationView> {
    const identityEvents = await this.read(`identity-${id}`);
    const identity = identityAsOf(identityEvents, '9999');
    if (!identity.exists)
      throw new NotFoundException({ code: 'IdentityNotFound', message: `identity ${id} does not exist` });
    const entitlementId = query.entitlement;
    const holding = findHolding(identity, entitlementId);
    const assignmentEvents = holding ? await this.read(`assignment-${holding.assignmentId}`) : [];
    const state = assignmentEvents.reduce(
      (s, e) => assignmentDecider.evolve(s, { type: e.type, data: e.data } as AssignmentEvent),
      assignmentDecider.initialState(),
    );
    const order = currentOrder(state);
    const answer = whyAccess({
      entitlementId,
      entitlementExists: this.roleModel.entitlement(entitlementId) !== undefined,
      identityActive: identity.active,
      rules: traceRules(this.roleModel, identityAttributes(identity), entitlementId),
      ...(state.exists
        ? {
            assignment: {
              assignmentId: state.assignmentId,
              workflowState: state.workflowState,
              provisioningStateCode: order?.stateCode ?? 0,
              provisioningState: stateName(order?.stateCode ?? 0),
              ...(order?.lastError ? { lastError: order.lastError } : {}),
            },
          }
        : {}),
    });
    return {
      identityId: id,
      entitlementId,
      ...answer,
      holders: holding?.holders ?? [],
      explanation: (state.exists && (await this.explain(assignmentEvents, id, identityEvents))) || null,
    };
  }

  private async explain(events: ExplainedEvent[], identityId: string, identityEvents?: ExplainedEvent[]) {
    const hashes = events
      .map((e) => e.data.roleModelVersion)
      .filter((h): h is string => typeof h === 'string');
    const models = await this.versions.models(hashes);
    return explainAssignment(
      events,
      identityEvents ?? (await this.read(`identity-${identityId}`)),
      models,
      this.roleModel,
    );
  }

  private async read(stream: string): Promise<ExplainedEvent[]> {
    try {
      return (await this.store.readStream(stream)).map(toExplained);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }
}

function toExplained(event: RecordedEvent): ExplainedEvent {
  return {
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata,
    revision: Number(event.revision),
    createdAt: event.createdAt,
  };
}

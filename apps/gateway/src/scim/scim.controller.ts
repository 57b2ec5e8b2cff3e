import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { ScimDirectory } from './scim-directory';
import { ScimErrorsFilter } from './scim-errors.filter';
import { matchesFilter, sortUsers } from './scim-filter';
import {
  declareScimProtocol,
  SCIM_BASE_PATH,
  SCIM_CONTENT_TYPE,
  SCIM_MAX_RESULTS,
  scimError,
} from './scim-protocol';
import { normalisePatch, type ScimUser, versionOf } from './scim-user';

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
type Params = Record<string, unknown>;

function integer(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw scimError(400, `${name} must be an integer`, 'invalidValue');
  return n;
}

/** Only the list parameters RFC 7644 §3.4.2 names, as SCIMMY expects them. */
function listParams(source: Params) {
  const text = (key: string) => (typeof source[key] === 'string' ? (source[key] as string) : undefined);
  return {
    filter: text('filter'),
    attributes: text('attributes'),
    excludedAttributes: text('excludedAttributes'),
    sortBy: typeof source.sortBy === 'string' ? source.sortBy : undefined,
    descending: source.sortOrder === 'descending',
    startIndex: Math.max(integer(source.startIndex, 'startIndex', 1), 1),
    count: Math.min(Math.max(integer(source.count, 'count', SCIM_MAX_RESULTS), 0), SCIM_MAX_RESULTS),
  };
}

/**
 * The SCIM 2.0 service provider for identities (RFC 7643/7644) at /scim/v2: an HR system or an
 * identity provider (Entra ID, Okta) pushes joiners, movers and leavers. SCIMMY parses the
 * protocol (filters, PATCH, schemas); the identities are the engine's, changed through its
 * commands. Tokens with role `hr-feed` (or `admin`) may call it.
 */
@ApiExcludeController()
@Controller('scim/v2')
@UseFilters(ScimErrorsFilter)
@Roles('hr-feed')
export class ScimController {
  private readonly scim = declareScimProtocol();

  constructor(private readonly directory: ScimDirectory) {}

  @Get('ServiceProviderConfig')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  serviceProviderConfig() {
    return new this.scim.Resources.ServiceProviderConfig().read();
  }

  @Get('ResourceTypes')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  resourceTypes() {
    return new this.scim.Resources.ResourceType().read();
  }

  @Get('ResourceTypes/:id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  resourceType(@Param('id') id: string) {
    return new this.scim.Resources.ResourceType(id).read();
  }

  @Get('Schemas')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  schemas() {
    return new this.scim.Resources.Schema().read();
  }

  @Get('Schemas/:id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  schema(@Param('id') id: string) {
    return new this.scim.Resources.Schema(id).read();
  }

  @Get('Users')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  list(@Query() query: Params) {
    return this.search(query);
  }

  @Post('Users/.search')
  @HttpCode(200)
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  searchByPost(@Body() body: unknown) {
    return this.search(typeof body === 'object' && body !== null ? (body as Params) : {});
  }

  @Get('Users/:id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  async get(
    @Param('id') id: string,
    @Query() query: Params,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const user = await new this.scim.Resources.User(id, this.projection(query)).read(
      this.directory.store(caller.actor),
    );
    const version = (user as unknown as ScimUser).meta?.version;
    if (version) res.setHeader('ETag', version);
    // A client that holds the current version gets no body again (RFC 7644 §3.14).
    if (version && req.headers['if-none-match'] === version) return void res.status(304);
    return user;
  }

  @Post('Users')
  @HttpCode(201)
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  async create(
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ) {
    const user = await new this.scim.Resources.User().write(
      body as Params,
      this.directory.store(caller.actor),
    );
    return this.located(user, res);
  }

  @Put('Users/:id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.writeVersioned(id, caller, req, res, (store) =>
      new this.scim.Resources.User(id).write(body as Params, store),
    );
  }

  @Patch('Users/:id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.writeVersioned(id, caller, req, res, async (store) => {
      const resource = new this.scim.Resources.User(id);
      // SCIMMY answers nothing when the operations change nothing: the current user is the answer then.
      return (
        (await resource.patch(normalisePatch(body) as Parameters<typeof resource.patch>[0], store)) ??
        (await resource.read(store))
      );
    });
  }

  @Delete('Users/:id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @CurrentCaller() caller: Caller, @Req() req: Request) {
    await this.checkVersion(id, req);
    await new this.scim.Resources.User(id).dispose(this.directory.store(caller.actor));
  }

  private projection(source: Params) {
    const { attributes, excludedAttributes } = listParams(source);
    return { ...(attributes ? { attributes } : {}), ...(excludedAttributes ? { excludedAttributes } : {}) };
  }

  private async search(source: Params) {
    const params = listParams(source);
    // SCIMMY validates and parses the filter and the attribute lists (400 invalidFilter when wrong).
    const config: { filter?: string; attributes?: string; excludedAttributes?: string } =
      this.projection(source);
    if (params.filter !== undefined) config.filter = params.filter;
    // SCIMMY takes the query as its first argument when there is no id; its typings only know (id, config).
    const resource = new this.scim.Resources.User(config as unknown as string);
    let users = await this.directory.all();
    if (resource.filter) users = users.filter((user) => matchesFilter(resource.filter!, user));
    if (params.sortBy) users = sortUsers(users, params.sortBy, params.descending);
    const page = users.slice(params.startIndex - 1, params.startIndex - 1 + params.count);
    return {
      schemas: [LIST_RESPONSE],
      totalResults: users.length,
      startIndex: params.startIndex,
      itemsPerPage: page.length,
      Resources: page.map(
        (user) => new this.scim.Schemas.User(user, 'out', `${SCIM_BASE_PATH}/Users`, resource.attributes),
      ),
    };
  }

  /** If-Match (RFC 7644 §3.14): a write on a version the client no longer holds is refused with 412. */
  private async checkVersion(id: string, req: Request): Promise<void> {
    const wanted = req.headers['if-match'];
    if (wanted === undefined || wanted === '*') return;
    const record = await this.directory.record(id);
    if (!record) throw scimError(404, `Resource ${id} not found`);
    const current = versionOf(record);
    const offered = wanted.split(',').map((v) => v.trim());
    if (!offered.includes(current) && !offered.includes(current.slice(2)))
      throw scimError(412, `the resource has changed (now version ${current}); read it again and retry`);
  }

  /** A write on the version the client holds (If-Match), by the caller, answered with the user's location. */
  private async writeVersioned(
    id: string,
    caller: Caller,
    req: Request,
    res: Response,
    write: (store: ReturnType<ScimDirectory['store']>) => Promise<unknown>,
  ) {
    await this.checkVersion(id, req);
    return this.located(await write(this.directory.store(caller.actor)), res);
  }

  private located(user: unknown, res: Response) {
    const meta = (user as ScimUser).meta as ScimUser['meta'] & { location?: string };
    if (meta?.version) res.setHeader('ETag', meta.version);
    if (meta?.location) res.setHeader('Location', meta.location);
    return user;
  }
}

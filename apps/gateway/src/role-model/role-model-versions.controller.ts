import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { diffRoleModels, parseRoleModel, roleModelTextDiff } from '@prov/role-model';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { LimitField } from '../http/paging';
import { Roles } from '../auth/roles.decorator';
import { RoleModelVersionReader } from './role-model-versions';

export class VersionsQuery {
  @ApiPropertyOptional({ description: 'the `next` of the previous page' })
  @IsOptional()
  @Matches(/^[0-9:]{1,100}$/, { message: 'after must be a position returned as `next` by this endpoint' })
  after?: string;

  @LimitField(500, { default: 50 })
  limit?: number;
}

const VERSION_ID = /^[0-9a-f]{12,64}$/;

/** The role-model versions the services loaded, and what changed between two of them. */
@ApiTags('role model')
@ApiBearerAuth()
@Controller('role-model/versions')
export class RoleModelVersionsController {
  constructor(private readonly versions: RoleModelVersionReader) {}

  @Get()
  @Roles('reviewer', 'operator', 'auditor')
  async list(@Query() query: VersionsQuery) {
    const page = await this.versions.page(query.after, query.limit ?? 50);
    // The list leaves the texts out; a version's own URL has it.
    return { ...page, versions: page.versions.map(({ text: _text, ...version }) => version) };
  }

  @Get(':id')
  @Roles('reviewer', 'operator', 'auditor')
  async one(@Param('id') id: string) {
    return this.resolve(id, 'id');
  }

  @Get(':a/diff/:b')
  @Roles('reviewer', 'operator', 'auditor')
  async diff(@Param('a') a: string, @Param('b') b: string) {
    const [from, to] = [await this.resolve(a, 'a'), await this.resolve(b, 'b')];
    const structured = diffRoleModels(
      parseRoleModel(from.text, from.source).definition,
      parseRoleModel(to.text, to.source).definition,
    );
    return {
      from: { hash: from.hash, version: from.version, at: from.at },
      to: { hash: to.hash, version: to.version, at: to.at },
      ...structured,
      text: roleModelTextDiff(
        { label: `${from.version}/${from.source}`, text: from.text },
        { label: `${to.version}/${to.source}`, text: to.text },
      ),
    };
  }

  private async resolve(id: string, field: string) {
    if (!VERSION_ID.test(id)) {
      throw new NotFoundException({
        code: 'RoleModelVersionNotFound',
        message: `${field} must be a version's hash or its first 12 characters (lowercase hex)`,
      });
    }
    const version = await this.versions.find(id);
    if (!version)
      throw new NotFoundException({
        code: 'RoleModelVersionNotFound',
        message: `no role-model version ${id}`,
      });
    return version;
  }
}

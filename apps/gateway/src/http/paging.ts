import { applyDecorators, BadRequestException } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { InvalidCursorError, type Page } from '@prov/read-models';

/**
 * Paged lists keep their body (a JSON array, as before paging) and say where the next page
 * starts in headers: `X-Next-Cursor: <cursor>` and `Link: <…?cursor=…>; rel="next"`, absent on
 * the last page. A client that ignores them sees the first page, as before; one that follows
 * them sees everything, without rows skipped or repeated (keyset paging).
 */
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor';

export const PAGE_HEADERS_DESCRIPTION =
  `A JSON array: one page. When more rows follow, the answer carries the header ${NEXT_CURSOR_HEADER} ` +
  '(pass it back as ?cursor=) and Link with rel="next"; on the last page neither is present.';

/** OpenAPI for a paged list: the array body and the next-page headers. */
export function ApiPagedResponse(what: string, type?: new (...args: never[]) => unknown) {
  return ApiOkResponse({
    ...(type ? { type: [type] } : {}),
    description: `${what}. ${PAGE_HEADERS_DESCRIPTION}`,
    headers: {
      [NEXT_CURSOR_HEADER]: {
        description: 'cursor of the next page; absent on the last page',
        schema: { type: 'string' },
      },
      Link: {
        description: '<path?cursor=…>; rel="next"; absent on the last page',
        schema: { type: 'string' },
      },
    },
  });
}

export class CursorQuery {
  @ApiPropertyOptional({ description: `the ${NEXT_CURSOR_HEADER} header of the previous page` })
  @IsOptional()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9_-]+$/, {
    message: `cursor must be the ${NEXT_CURSOR_HEADER} header of a previous page`,
  })
  cursor?: string;
}

/**
 * A list's `limit` query field: a whole number from `min` to `max`, or a 400 that names the field
 * and the range. `doc` is what OpenAPI says of it (its default, a description).
 */
export function LimitField(max: number, doc: ApiPropertyOptions = {}, min = 1) {
  const message = `limit must be a whole number from ${min} to ${max}`;
  // In the order stacked decorators run (bottom up), so that a 400 lists the rules as before.
  return applyDecorators(
    Max(max, { message }),
    Min(min, { message }),
    IsInt({ message }),
    Type(() => Number),
    IsOptional(),
    ApiPropertyOptional(doc),
  );
}

export class PageQuery extends CursorQuery {
  @LimitField(1000, { description: 'rows per page (1-1000; default 1000)', default: 1000 })
  limit?: number;
}

/** Reads a page, turning a foreign cursor into a 400 that names the field. */
export async function readPage<T>(read: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new BadRequestException({
        code: 'ValidationFailed',
        message: `invalid request: cursor: ${error.message}`,
        details: [{ field: 'cursor', rule: 'cursor', message: error.message }],
      });
    }
    throw error;
  }
}

/** Sets the next-page headers on the answer and returns the page's rows as its body. */
export function sendPage<T>(page: Page<T>, request: Request, response: Response): T[] {
  response.setHeader('Access-Control-Expose-Headers', `${NEXT_CURSOR_HEADER}, Link`);
  if (page.next) {
    const url = new URL(request.originalUrl, 'http://gateway');
    url.searchParams.set('cursor', page.next);
    response.setHeader(NEXT_CURSOR_HEADER, page.next);
    response.setHeader('Link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return page.items;
}

/** A paged list's answer: the page `read` gives (a foreign cursor: 400), as body and next-page headers. */
export async function answerPage<T>(
  request: Request,
  response: Response,
  read: () => Promise<Page<T>>,
): Promise<T[]> {
  return sendPage(await readPage(read), request, response);
}

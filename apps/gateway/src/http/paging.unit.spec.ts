import { BadRequestException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { InvalidCursorError } from '@prov/read-models';
import { NEXT_CURSOR_HEADER, readPage, sendPage } from './paging';

function response() {
  const headers: Record<string, string> = {};
  return {
    headers,
    res: { setHeader: (name: string, value: string) => (headers[name] = value) } as unknown as Response,
  };
}
const request = { originalUrl: '/api/review/orders?connectionId=hr_app&cursor=old' } as Request;

describe('paged answers', () => {
  it('keeps the array body and says where the next page starts', () => {
    const { headers, res } = response();
    expect(sendPage({ items: [1, 2], next: 'abc' }, request, res)).toEqual([1, 2]);
    expect(headers[NEXT_CURSOR_HEADER]).toBe('abc');
    expect(headers.Link).toBe('</api/review/orders?connectionId=hr_app&cursor=abc>; rel="next"');
  });

  it('sends no next-page headers on the last page', () => {
    const { headers, res } = response();
    expect(sendPage({ items: [], next: null }, request, res)).toEqual([]);
    expect(headers[NEXT_CURSOR_HEADER]).toBeUndefined();
    expect(headers.Link).toBeUndefined();
  });

  it('answers a foreign cursor with a 400 naming the field', async () => {
    const error = await readPage(() => Promise.reject(new InvalidCursorError('orders'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      code: 'ValidationFailed',
      details: [{ field: 'cursor', rule: 'cursor' }],
    });
  });
});

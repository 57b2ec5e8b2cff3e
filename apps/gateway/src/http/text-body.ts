import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { Request } from 'express';

/**
 * A file sent as the raw body (CSV, JSON lines): streamed and refused with 413 as soon as it
 * grows past `maxBytes` (a declared Content-Length over it before a byte is read), and with 400
 * unless it is UTF-8. `what` names the file in the messages ("the CSV").
 */
export async function readTextBody(
  request: Request,
  maxBytes: number,
  what: string,
  code: string,
): Promise<string> {
  const tooLarge = () =>
    new PayloadTooLargeException({
      code: 'PayloadTooLarge',
      message: `${what} must be at most ${maxBytes} bytes`,
    });
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    // Spreadsheets often save "CSV" in a legacy code page; guessing would corrupt names silently.
    throw new BadRequestException({
      code,
      message: `${what} must be UTF-8 encoded (save it as "CSV UTF-8")`,
    });
  }
}

/** `work` over the items with at most `limit` running at once; results in the items' order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

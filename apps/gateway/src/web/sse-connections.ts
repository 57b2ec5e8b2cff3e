import { HttpException } from '@nestjs/common';
import { readHardeningSettings } from '@prov/config';
import { errorBody } from '../http/error-body';

/** What a refused stream is told to wait before reconnecting (Retry-After). */
export const SSE_RETRY_AFTER_SECONDS = 30;

/**
 * Open live-update streams, counted in total and per caller, so that one client (or a bug that
 * reconnects in a loop) cannot hold every socket: SSE_MAX_CONNECTIONS and SSE_MAX_PER_TOKEN.
 */
export class SseConnections {
  private total = 0;
  private readonly perCaller = new Map<string, number>();

  constructor(private readonly limits = readHardeningSettings()) {}

  /** Counts one stream for `caller` and returns its release; 429 with Retry-After when full. */
  open(caller: string): () => void {
    const mine = this.perCaller.get(caller) ?? 0;
    if (this.total >= this.limits.sseMaxConnections)
      throw tooMany(`the gateway already serves ${this.limits.sseMaxConnections} live-update streams`);
    if (mine >= this.limits.sseMaxPerToken)
      throw tooMany(`this token already has ${this.limits.sseMaxPerToken} live-update streams open`);
    this.total += 1;
    this.perCaller.set(caller, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller, left);
      else this.perCaller.delete(caller);
    };
  }

  get count(): number {
    return this.total;
  }
}

function tooMany(message: string): HttpException {
  return new HttpException(errorBody(429, 'TooManyStreams', `${message}; close one or try again later`), 429);
}

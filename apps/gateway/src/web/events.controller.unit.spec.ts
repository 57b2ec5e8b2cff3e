import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { EventsController, HEARTBEAT_MS } from './events.controller';
import type { ChangeListener, ReadModelChanges } from './read-model-changes';

class FakeChanges {
  readonly listeners = new Set<ChangeListener>();
  subscribe(listener: ChangeListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(...args: Parameters<ChangeListener>) {
    this.listeners.forEach((listener) => listener(...args));
  }
}

function fakeStream() {
  const request = Object.assign(new EventEmitter(), {
    socket: { setKeepAlive: jest.fn(), setNoDelay: jest.fn() },
  });
  const written: string[] = [];
  const response = Object.assign(new EventEmitter(), {
    headers: {} as Record<string, string>,
    writableEnded: false,
    status: jest.fn(),
    setHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    },
    flushHeaders: jest.fn(),
    write: (chunk: string) => written.push(chunk),
    end() {
      this.writableEnded = true;
    },
  });
  return { request, response, written };
}

const change = (streamName: string) => ({
  schema: 'rm',
  streamNames: [streamName],
  type: 'ProvisioningOrderExecuted',
  truncated: false,
});

describe('the live-updates stream', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('streams read-model changes as server-sent events, a burst as one message, with heartbeats', () => {
    const changes = new FakeChanges();
    const { request, response, written } = fakeStream();
    new EventsController(changes as unknown as ReadModelChanges).stream(
      request as unknown as Request,
      response as unknown as Response,
    );
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(written.shift()).toBe('retry: 3000\nevent: ready\ndata: {}\n\n');

    changes.emit({ kind: 'change', change: change('assignment-a1') });
    changes.emit({ kind: 'change', change: change('assignment-a2') });
    jest.advanceTimersByTime(150);
    expect(written).toEqual([
      `event: change\ndata: ${JSON.stringify({ changes: [change('assignment-a1'), change('assignment-a2')] })}\n\n`,
    ]);

    changes.emit({ kind: 'resync' });
    jest.advanceTimersByTime(150);
    expect(written.pop()).toBe('event: resync\ndata: {}\n\n');

    jest.advanceTimersByTime(HEARTBEAT_MS);
    expect(written.pop()).toMatch(/^: heartbeat /);
  });

  it('lets go of everything when the client goes away, or the gateway shuts down', () => {
    const changes = new FakeChanges();
    const first = fakeStream();
    const second = fakeStream();
    const controller = new EventsController(changes as unknown as ReadModelChanges);
    controller.stream(first.request as unknown as Request, first.response as unknown as Response);
    controller.stream(second.request as unknown as Request, second.response as unknown as Response);
    expect(changes.listeners.size).toBe(2);

    first.request.emit('close');
    expect(changes.listeners.size).toBe(1);
    expect(first.response.writableEnded).toBe(true);

    changes.emit({ kind: 'closing' });
    expect(changes.listeners.size).toBe(0);
    expect(second.response.writableEnded).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});

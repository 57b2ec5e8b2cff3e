import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { readHardeningSettings } from '@prov/config';
import { EventsController } from './events.controller';
import type { ChangeListener, ReadModelChanges } from './read-model-changes';
import { SseConnections } from './sse-connections';

const limits = (total: number, perToken: number) => ({
  ...readHardeningSettings({}),
  sseMaxConnections: total,
  sseMaxPerToken: perToken,
});

describe('live-update stream limits', () => {
  it('caps streams per token and in total, and frees a slot when a stream closes', () => {
    const connections = new SseConnections(limits(3, 2));
    const a1 = connections.open('a');
    connections.open('a');
    expect(() => connections.open('a')).toThrow(/this token already has 2/);
    connections.open('b');
    expect(() => connections.open('c')).toThrow(/already serves 3/);
    a1();
    a1(); // released twice counts once
    expect(connections.count).toBe(2);
    expect(() => connections.open('c')).not.toThrow();
  });

  it('sends nothing to a client that does not read, then one resync once it drains', () => {
    jest.useFakeTimers();
    try {
      const listeners = new Set<ChangeListener>();
      const changes = { subscribe: (l: ChangeListener) => (listeners.add(l), () => listeners.delete(l)) };
      const written: string[] = [];
      const request = Object.assign(new EventEmitter(), {
        socket: { setKeepAlive: jest.fn(), setNoDelay: jest.fn() },
      });
      const response = Object.assign(new EventEmitter(), {
        writableEnded: false,
        writableNeedDrain: false,
        status: jest.fn(),
        setHeader: jest.fn(),
        flushHeaders: jest.fn(),
        write: (chunk: string) => written.push(chunk),
        end() {
          this.writableEnded = true;
        },
      });
      new EventsController(changes as unknown as ReadModelChanges, new SseConnections(limits(10, 10))).stream(
        request as unknown as Request,
        response as unknown as Response,
      );
      written.length = 0;
      response.writableNeedDrain = true;
      for (let i = 0; i < 500; i++)
        listeners.forEach((l) =>
          l({
            kind: 'change',
            change: { schema: 'rm', streamNames: [`assignment-${i}`], type: 'X', truncated: false },
          }),
        );
      jest.advanceTimersByTime(20_000);
      expect(written).toEqual([]);
      response.writableNeedDrain = false;
      response.emit('drain');
      jest.advanceTimersByTime(150);
      expect(written).toEqual(['event: resync\ndata: {}\n\n']);
      request.emit('close');
    } finally {
      jest.useRealTimers();
    }
  });
});

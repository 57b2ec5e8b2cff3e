import { CommandServer } from './command-server';

describe('CommandServer.getHandlerByPattern', () => {
  const subject = 'prov.cmd.requests.request-assignment';
  const handler = Object.assign(async () => 'handled', { isEventHandler: false });

  it('finds the handler of a subject as subscribed, without trying it as a JSON pattern first', () => {
    const server = new CommandServer({ servers: ['nats://127.0.0.1:1'] });
    server.addHandler(subject, handler);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(server.getHandlerByPattern(subject)).toBe(handler);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('answers no handler for a subject nobody handles, as Nest does', () => {
    const server = new CommandServer({ servers: ['nats://127.0.0.1:1'] });
    server.addHandler(subject, handler);
    expect(server.getHandlerByPattern('prov.cmd.requests.unknown')).toBeNull();
  });
});

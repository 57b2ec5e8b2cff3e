import { createServer, type Server, type Socket } from 'node:net';
import { KeptAliveClient } from './kept-alive-client';

/** What arrived on one connection: the raw request text, and on which connection (by its order). */
interface Arrival {
  text: string;
  connection: number;
}

/**
 * A plain TCP server that answers every complete request with `answer` and keeps the
 * connection, recording the raw bytes: the requests exactly as the gateway would read them.
 */
async function recordingServer(
  answer: string,
): Promise<{ url: string; arrivals: Arrival[]; server: Server }> {
  const arrivals: Arrival[] = [];
  let connections = 0;
  const server = holding((socket) => {
    const connection = connections++;
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffered)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      arrivals.push({ text: buffered.slice(0, end + 4 + length), connection });
      buffered = buffered.slice(end + 4 + length);
      socket.write(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, arrivals, server };
}

/** Closes the server and every connection it still holds (fetch's, a silent one's). */
function closed(server: Server): Promise<void> {
  const sockets = (server as Server & { held?: Set<Socket> }).held ?? new Set();
  sockets.forEach((socket) => socket.destroy());
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A TCP server that keeps every connection it accepts, so that `closed` can end them. */
function holding(onConnection: (socket: Socket) => void = () => undefined): Server {
  const held = new Set<Socket>();
  const server = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
    onConnection(socket);
  });
  return Object.assign(server, { held });
}

/** Request line, headers (lower-cased, sorted; the connection's own port left out) and body. */
function normalised(raw: string): { line: string; headers: string[]; body: string } {
  const [head, body] = raw.split('\r\n\r\n');
  const [line, ...headers] = head.split('\r\n');
  return {
    line,
    headers: headers
      .map((h) => h.replace(/^([^:]+):\s*/, (_, name: string) => `${name.toLowerCase()}: `))
      .map((h) => h.replace(/^host: 127\.0\.0\.1:\d+$/, 'host: 127.0.0.1'))
      .sort(),
    body,
  };
}

const JSON_ANSWER = (body: string) =>
  `HTTP/1.1 202 Accepted\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`;

describe('KeptAliveClient (the bench’s single requests)', () => {
  const servers: Server[] = [];
  const clients: KeptAliveClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await Promise.all(servers.splice(0).map(closed));
  });

  it('sends the gateway the same request as fetch does: line, headers and body', async () => {
    const { url, arrivals, server } = await recordingServer(JSON_ANSWER('{}'));
    servers.push(server);
    const body = { identityId: 'bench.1', entitlementId: 'ldap_staff' };
    const viaFetch = await fetch(`${url}/api/assignments`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        authorization: 'Bearer t-requester',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    await viaFetch.text();
    const client = new KeptAliveClient(url);
    clients.push(client);
    await client.post('/api/assignments', { token: 't-requester', body });

    expect(arrivals).toHaveLength(2);
    expect(normalised(arrivals[1].text)).toEqual(normalised(arrivals[0].text));
  });

  it('answers the status and the parsed JSON body, and keeps the connection for the next request', async () => {
    const answer = '{"assignmentId":"a-1","created":true}';
    const { url, arrivals, server } = await recordingServer(JSON_ANSWER(answer));
    servers.push(server);
    const client = new KeptAliveClient(url);
    clients.push(client);

    const first = await client.post('/api/assignments', { token: 't', body: { n: 1 } });
    const second = await client.post('/api/assignments', { token: 't', body: { n: 2 } });

    expect(first).toEqual({ status: 202, body: { assignmentId: 'a-1', created: true } });
    expect(second.status).toBe(202);
    expect(arrivals.map((a) => a.connection)).toEqual([0, 0]);
  });

  it('fails a request without an answer within its time-out, naming the request', async () => {
    const silent = holding();
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const client = new KeptAliveClient(`http://127.0.0.1:${(silent.address() as { port: number }).port}`);
    clients.push(client);

    await expect(client.post('/api/assignments', { token: 't', body: {}, timeoutMs: 200 })).rejects.toThrow(
      /POST http:\/\/127\.0\.0\.1:\d+\/api\/assignments failed: no answer within 200 ms/,
    );
  });
});

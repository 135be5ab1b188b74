import { connect } from 'node:net';
import t from 'tap';
import { buildApp } from './helpers/app.js';

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends header lines exactly as given, so duplicates reach Node's parser as a client sent them. */
function rawGet(port: number, lines: string[]): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
    const request = ['GET /me HTTP/1.1', 'Host: localhost', ...lines, 'Connection: close'];
    socket.end(`${request.join('\r\n')}\r\n\r\n`);
  });
}

async function listening(t: { teardown(fn: () => unknown): void }) {
  const { app } = await buildApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const pair = await app.tokens.issue({ sub: 'socket-user' });

  return { port, token: pair.accessToken };
}

t.test('accepts one authorization header over a socket', async (t) => {
  const { port, token } = await listening(t);
  const res = await rawGet(port, [`Authorization: Bearer ${token}`]);

  t.equal(res.status, 200);
  t.match(res.body, /"sub":"socket-user"/);
});

t.test('rejects duplicate authorization headers sent over a socket', async (t) => {
  const { port, token } = await listening(t);
  const same = await rawGet(port, [
    `Authorization: Bearer ${token}`,
    `authorization: Bearer ${token}`,
  ]);
  t.equal(same.status, 400);
  t.match(same.body, /"code":"FST_TA_BAD_REQUEST"/);
  t.match(same.headers, /www-authenticate: Bearer error="invalid_request"/i);

  const other = await rawGet(port, ['Authorization: Basic YTpi', `Authorization: Bearer ${token}`]);
  t.equal(other.status, 400, 'a second header is refused whatever its scheme');
});

t.test('refuses a token over the cap that still fits the header limit', async (t) => {
  const { port } = await listening(t);
  const res = await rawGet(port, [`Authorization: Bearer ${'a'.repeat(10_000)}`]);

  t.equal(res.status, 401);
  t.match(res.body, /"code":"FST_TA_TOKEN_INVALID"/);
});

t.test('leaves headers past the server limit to Node, never a 500', async (t) => {
  const { port } = await listening(t);
  const res = await rawGet(port, [`Authorization: Bearer ${'a'.repeat(20_000)}`]);

  t.equal(res.status, 431);
});

import { Agent, request as httpRequest } from 'node:http';

const REQUEST_TIMEOUT_MS = 5000;

/** Keep-alive sockets, as a load balancer's upstream pool would hold them. */
export const agent = new Agent({ keepAlive: true, maxSockets: 128 });

/**
 * One HTTP call to an instance. Never rejects: a socket error or a request that outlives
 * REQUEST_TIMEOUT_MS comes back as status 'error' / 'timeout' so the drill counts it.
 *
 * @returns {Promise<{ status: number | 'error' | 'timeout', code?: string, body?: any,
 *   startedAt: number, ms: number }>}
 */
export function call(instance, method, path, { body, token } = {}) {
  const headers = {};
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const startedAt = Date.now();
  const started = performance.now();

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result) => {
      if (settled) return;

      settled = true;
      resolve({ ...result, startedAt, ms: performance.now() - started });
    };
    const req = httpRequest(
      { host: '127.0.0.1', port: instance.port, method, path, headers, agent },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', () => finish({ status: 'error' }));
        res.on('end', () => finish({ status: res.statusCode, ...parse(chunks) }));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      finish({ status: 'timeout' });
      req.destroy();
    });
    req.on('error', () => finish({ status: 'error' }));
    req.end(payload);
  });
}

function parse(chunks) {
  if (chunks.length === 0) return {};

  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));

    return { body, code: typeof body?.code === 'string' ? body.code : undefined };
  } catch {
    return {};
  }
}

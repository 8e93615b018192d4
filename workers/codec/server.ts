// The codec server the Temporal Web UI and the `temporal` CLI call to show sealed payloads in plain
// (`--codec-endpoint`, the UI's codec endpoint): POST /decode and /encode with `{"payloads": [...]}`,
// each payload's metadata values and data in base64. It holds the key, so it listens on loopback
// unless told otherwise, answers only the origins it is given, and with a token only requests that
// carry it (`--codec-auth "Bearer <token>"`).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  host?: string;
  port?: number;
  /** Browser origins allowed to call it (the Web UI's, e.g. http://localhost:8233). */
  allowOrigins?: string[];
  /** When set, requests must send `Authorization: Bearer <token>`. */
  token?: string;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(req.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const allowed = new Set(options.allowOrigins ?? []);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Vary', 'Origin');
    }
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'OPTIONS') return reply(origin && allowed.has(origin) ? 204 : 403, {});
    const path = new URL(req.url ?? '/', 'http://codec').pathname;
    if (req.method !== 'POST' || (path !== '/decode' && path !== '/encode')) return reply(404, { error: 'not found' });
    if (origin && !allowed.has(origin)) return reply(403, { error: `origin ${origin} is not allowed` });
    if (!authorized(req, options.token)) return reply(401, { error: 'missing or wrong Authorization' });
    let payloads: Payload[];
    try {
      const parsed = JSON.parse((await body(req)).toString('utf8')) as { payloads?: JsonPayload[] };
      if (!Array.isArray(parsed.payloads)) throw new Error('body must be {"payloads": [...]}');
      payloads = parsed.payloads.map(fromJson);
    } catch (err) {
      return reply(400, { error: (err as Error).message });
    }
    try {
      const done = path === '/decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
      return reply(200, { payloads: done.map(toJson) });
    } catch (err) {
      return reply(422, { error: (err as Error).message });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

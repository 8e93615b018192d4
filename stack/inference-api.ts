// A real HTTP server standing in for the inference service's /health and /ready endpoints, whose
// answers a test can change. Used by tests and by `./ops start` (the embedded default).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EndpointBehaviour {
  status: number;
  delayMs?: number;
}

export interface InferenceApi {
  url: string;
  /** Changes what an endpoint answers from now on. */
  set(path: '/health' | '/ready', behaviour: EndpointBehaviour): void;
  /** How many requests each path has received. */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startInferenceApi(port = 0): Promise<InferenceApi> {
  const behaviours = new Map<string, EndpointBehaviour>([
    ['/health', { status: 200 }],
    ['/ready', { status: 200 }],
  ]);
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const behaviour = behaviours.get(path) ?? { status: 404 };
    const answer = () => {
      res.writeHead(behaviour.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: behaviour.status === 200 ? 'ok' : 'error', path }));
    };
    if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
    else answer();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    set: (path, behaviour) => behaviours.set(path, behaviour),
    hits: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

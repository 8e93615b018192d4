// Services on the host's loopback (the API server, Temporal, MinIO), reachable from pods at a Service
// address, as they would be on a cluster network. Pods reach only the node IP (no forwarding, no
// default route), so a TCP relay listens there and a Service without selector points at it:
// kube-proxy turns the Service address into the node's own, delivered locally. A Service address that
// leads to another pod would need IP forwarding; the relay can point at such a Service from the host.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type * as k8s from '@kubernetes/client-node';
import type { KubeClients } from '../../activities/kubernetes/clients.ts';
import { NODE_IP } from './node-network.ts';

export interface PodRoute {
  /** The Service's address and port, as pods dial it. */
  clusterIp: string;
  port: number;
  close(): Promise<void>;
}

export interface PodRouteOptions {
  namespace: string;
  /** The Service; made (without selector) unless it exists, as `kubernetes` does. */
  service: string;
  /** The Service port pods dial, and its name (the EndpointSlice names its port the same). */
  port: { name: string; port: number };
  /** Where on the host the relay connects. */
  target: { host: string; port: number };
}

const MANAGED_BY = 'pno.dev-pod-relay';

export async function routeFromPods(admin: KubeClients, options: PodRouteOptions): Promise<PodRoute> {
  const relay = await startRelay(options.target);
  const { namespace, service } = options;
  const madeService = await ensureService(admin, options);
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-pod-relay`,
      namespace,
      labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [NODE_IP], conditions: { ready: true } }],
    ports: [{ name: options.port.name, port: relay.port, protocol: 'TCP' }],
  };
  const close = async () => {
    await Promise.allSettled([
      admin.objects.delete(slice),
      madeService ? admin.core.deleteNamespacedService({ namespace, name: service }) : undefined,
    ]);
    await relay.close();
  };
  try {
    // One left by a relay that died with its process points at a port nobody listens on any more.
    await admin.objects.delete(slice).catch(() => undefined);
    await admin.objects.create(slice);
    const read = await admin.core.readNamespacedService({ namespace, name: service });
    const clusterIp = read.spec?.clusterIP;
    if (!clusterIp) throw new Error(`Service ${namespace}/${service} has no cluster IP`);
    return { clusterIp, port: options.port.port, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function ensureService(admin: KubeClients, { namespace, service, port }: PodRouteOptions): Promise<boolean> {
  try {
    await admin.core.readNamespacedService({ namespace, name: service });
    return false;
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
  const body: k8s.V1Service = {
    metadata: { name: service, namespace },
    spec: { type: 'ClusterIP', ports: [{ name: port.name, port: port.port, protocol: 'TCP' }] },
  };
  await admin.core.createNamespacedService({ namespace, body });
  return true;
}

interface Relay {
  port: number;
  /** Stops listening and drops the connections it carries. */
  close(): Promise<void>;
}

async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming) => {
    const outgoing = connect(target.port, target.host);
    for (const socket of [incoming, outgoing]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      // Either side failing ends both: the peer sees the connection drop, as through a real network.
      socket.on('error', () => {
        incoming.destroy();
        outgoing.destroy();
      });
    }
    incoming.pipe(outgoing).pipe(incoming);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, NODE_IP, () => resolve());
  });
  // Listening: a later failure to accept (too many open files) drops that connection, not the stack.
  server.on('error', (err) => console.warn(`[stack] pod relay to ${target.host}:${target.port}: ${err.message}`));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// An HTTP GET to a Service through the API server's service proxy: the service of a namespace that
// has no address of its own outside the cluster (the restore drill's copy) is probed there, not the
// production URL the worker is configured with. Reported as a probe, as probeHttp reports a URL.
import { ApiException } from '@kubernetes/client-node';
import type { HttpProbe } from '../../types/index.ts';
import type { KubeClients } from './clients.ts';

export async function probeService(
  kube: KubeClients,
  target: { namespace: string; service: string; path: string; timeoutMs: number },
): Promise<HttpProbe> {
  const url = `service ${target.namespace}/${target.service}${target.path}`;
  const started = performance.now();
  const latencyMs = () => Math.round((performance.now() - started) * 10) / 10;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${target.timeoutMs} ms`)), target.timeoutMs);
  });
  try {
    await Promise.race([
      kube.core.connectGetNamespacedServiceProxyWithPath({
        namespace: target.namespace,
        name: target.service,
        path: target.path.replace(/^\/+/, ''),
      }),
      timeout,
    ]);
    return { url, statusCode: 200, latencyMs: latencyMs() };
  } catch (err) {
    if (err instanceof ApiException) return { url, statusCode: err.code, latencyMs: latencyMs() };
    return { url, latencyMs: latencyMs(), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

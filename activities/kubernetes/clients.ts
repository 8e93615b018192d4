import * as k8s from '@kubernetes/client-node';

/** The typed API groups the activity layer uses, all bound to one kubeconfig. */
export interface KubeClients {
  config: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  autoscaling: k8s.AutoscalingV2Api;
  custom: k8s.CustomObjectsApi;
  /** Any kind by apiVersion/kind, for export and server-side apply. */
  objects: k8s.KubernetesObjectApi;
  /** Who the worker is, and what it may do (self reviews). */
  authentication: k8s.AuthenticationV1Api;
  authorization: k8s.AuthorizationV1Api;
  rbac: k8s.RbacAuthorizationV1Api;
}

export function kubeClientsFrom(config: k8s.KubeConfig): KubeClients {
  return {
    config,
    core: config.makeApiClient(k8s.CoreV1Api),
    apps: config.makeApiClient(k8s.AppsV1Api),
    autoscaling: config.makeApiClient(k8s.AutoscalingV2Api),
    custom: config.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(config),
    authentication: config.makeApiClient(k8s.AuthenticationV1Api),
    authorization: config.makeApiClient(k8s.AuthorizationV1Api),
    rbac: config.makeApiClient(k8s.RbacAuthorizationV1Api),
  };
}

/**
 * Loads a kubeconfig the way kubectl does: the file named by `kubeconfigPath` (or $KUBECONFIG, or
 * ~/.kube/config), or the in-cluster service account when running in a pod.
 */
export function loadKubeConfig(kubeconfigPath?: string): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
  else config.loadFromDefault();
  return config;
}

// The cluster's Service addresses (the API server's --service-cluster-ip-range). The first is the
// `kubernetes` Service's: pods find the API server there, so its serving certificate names it too.
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

// The service every workflow looks after, named once. Workflow inputs keep their own field names
// (`namespace`, `targetNamespace`, `hpaName`…) but take their defaults and rules from here.
import { displayName, httpUrlOrEmpty, kubeName, promQuery, selector } from './fields.ts';

export interface ServiceTarget {
  namespace: string;
  deployment: string;
  /** Label selector of the service's pods. */
  selector: string;
  /** The inference container in those pods. */
  container: string;
  hpaName: string;
  /** Name used in alerts and reports. */
  service: string;
  /** Inference API base URL; empty means the worker's PNO_API_URL. */
  apiBaseUrl: string;
  /** The service's p95 inference latency in Prometheus (the guide's query: one series per instance). */
  latencyQuery: string;
  /** Where the monitoring config (Prometheus rules, dashboards) lives. */
  monitoringNamespace: string;
}

export const serviceTarget: Readonly<ServiceTarget> = Object.freeze({
  namespace: 'production',
  deployment: 'pno-physics-bench',
  selector: 'app=pno-physics-bench',
  container: 'pno-inference',
  hpaName: 'pno-hpa',
  service: 'pno-physics-bench',
  apiBaseUrl: '',
  latencyQuery: 'histogram_quantile(0.95, rate(pno_inference_duration_seconds_bucket[5m]))',
  monitoringNamespace: 'monitoring',
});

/** Each target field's schema with its default; a workflow picks the ones it acts on. */
export const targetFields = {
  namespace: kubeName.default(serviceTarget.namespace).describe('Namespace the service runs in.'),
  deployment: kubeName.default(serviceTarget.deployment).describe("The service's Deployment."),
  selector: selector.default(serviceTarget.selector).describe("Label selector of the service's pods."),
  container: kubeName.default(serviceTarget.container).describe('The inference container in those pods.'),
  hpaName: kubeName.default(serviceTarget.hpaName).describe("The service's HorizontalPodAutoscaler."),
  service: displayName.default(serviceTarget.service).describe('Name used in alerts and reports.'),
  apiBaseUrl: httpUrlOrEmpty
    .default(serviceTarget.apiBaseUrl)
    .describe("Inference API base URL; empty means the worker's PNO_API_URL."),
  latencyQuery: promQuery
    .default(serviceTarget.latencyQuery)
    .describe(
      "The service's p95 inference latency in seconds, read from the worker's PNO_PROMETHEUS_URL (the slowest series counts); without one, `/health` is probed instead.",
    ),
  monitoringNamespace: kubeName
    .default(serviceTarget.monitoringNamespace)
    .describe('Namespace of the monitoring config.'),
};

// What every routine needs to know about the service, defaulted so `--input '{}'` runs against the
// production fixture; routine-specific fields are added by each routine.
import { invalidInput, requireKubeName, requireSelector, withDefaults } from '../shared/input.ts';

export interface ServiceTarget {
  namespace?: string;
  selector?: string;
  deployment?: string;
  container?: string;
  hpaName?: string;
  /** Name used in alerts and reports. */
  service?: string;
  /** Inference API base URL; empty means the worker's PNO_API_URL. */
  apiBaseUrl?: string;
}

export const serviceDefaults: Required<ServiceTarget> = {
  namespace: 'production',
  selector: 'app=pno-physics-bench',
  deployment: 'pno-physics-bench',
  container: 'pno-inference',
  hpaName: 'pno-hpa',
  service: 'pno-physics-bench',
  apiBaseUrl: '',
};

export function validateRoutineInput<T extends Required<ServiceTarget>>(workflow: string, raw: unknown, defaults: T): T {
  const input = withDefaults(workflow, raw, defaults);
  requireKubeName('namespace', input.namespace);
  requireSelector('selector', input.selector);
  requireKubeName('deployment', input.deployment);
  requireKubeName('container', input.container);
  requireKubeName('hpaName', input.hpaName);
  if (typeof input.service !== 'string' || input.service === '') throw invalidInput('service', 'must be a non-empty name', input.service);
  return input;
}

export function requireCommand(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => typeof a !== 'string' || a === '')) {
    throw invalidInput(field, 'must be a non-empty argument array like ["logrotate", "-f", "/etc/logrotate.conf"]', value);
  }
  return value as string[];
}

// The worker's alert sinks come from the environment; a bad URL stops the worker at start.
import { describe, expect, it } from 'vitest';
import { readWorkerConfig, type ConfigError } from '../../workers/config.ts';

describe('alert sink configuration', () => {
  it('has no sink by default', () => {
    expect(readWorkerConfig({}).alerts).toEqual({});
  });

  it('reads PNO_ALERTMANAGER_URL and PNO_ALERT_WEBHOOK_URL', () => {
    const config = readWorkerConfig({
      PNO_ALERTMANAGER_URL: 'http://alertmanager.monitoring:9093',
      PNO_ALERT_WEBHOOK_URL: 'https://hooks.example.com/pno',
    });
    expect(config.alerts).toEqual({
      alertmanagerUrl: 'http://alertmanager.monitoring:9093',
      webhookUrl: 'https://hooks.example.com/pno',
    });
  });

  it('names each variable that is not an http(s) URL', () => {
    const problems = (() => {
      try {
        readWorkerConfig({ PNO_ALERTMANAGER_URL: 'alertmanager:9093', PNO_ALERT_WEBHOOK_URL: 'ftp://hooks' });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    })();
    expect(problems).toEqual([
      'PNO_ALERTMANAGER_URL: must be an http(s) URL (got "alertmanager:9093")',
      'PNO_ALERT_WEBHOOK_URL: must be an http(s) URL (got "ftp://hooks")',
    ]);
  });
});

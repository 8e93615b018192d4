// sendAlert against real HTTP receivers on loopback: payloads, sinks, and how failures are classed.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlertActivities } from '../../activities/alerts/index.ts';
import { FailureType, type SendAlertInput } from '../../types/index.ts';
import { closedPort } from '../helpers/net.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const alert: SendAlertInput = {
  type: 'service_health',
  severity: 'critical',
  service: 'pno-physics-bench',
  summary: 'pno-physics-bench in production is UNHEALTHY',
  details: { pods: '0 of 2 pods ready' },
  dedupKey: 'health:production:pno-physics-bench',
};

let alertmanager: Receiver;
let webhook: Receiver;
beforeAll(async () => {
  [alertmanager, webhook] = await Promise.all([startReceiver(), startReceiver()]);
});
afterAll(() => Promise.all([alertmanager.close(), webhook.close()]));
afterEach(() => {
  alertmanager.requests.length = 0;
  webhook.requests.length = 0;
  alertmanager.answer();
  webhook.answer();
});

const both = () =>
  createAlertActivities({ alertmanagerUrl: `${alertmanager.url}/`, webhookUrl: `${webhook.url}/hooks/pno` });

async function failure(work: Promise<unknown>): Promise<Error> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('sendAlert', () => {
  it('posts a firing alert to Alertmanager v2 with the labels that identify it, and to the webhook', async () => {
    const expiresAt = '2030-01-01T00:30:00.000Z';
    const result = await both().sendAlert({ ...alert, expiresAt });
    expect(result).toEqual({ dedupKey: alert.dedupKey, status: 'firing', delivered: ['alertmanager', 'webhook'] });

    expect(alertmanager.requests).toHaveLength(1);
    const [am] = alertmanager.requests;
    expect(am).toMatchObject({ method: 'POST', path: '/api/v2/alerts' });
    expect(am?.headers['content-type']).toBe('application/json');
    const body = am?.body as Record<string, unknown>[];
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({
      labels: {
        alertname: 'service_health',
        severity: 'critical',
        service: 'pno-physics-bench',
        dedup: alert.dedupKey,
      },
      annotations: { summary: alert.summary, details: JSON.stringify(alert.details) },
      endsAt: expiresAt,
    });
    expect(Date.parse(body[0]?.startsAt as string)).not.toBeNaN();

    expect(webhook.requests).toHaveLength(1);
    expect(webhook.requests[0]).toMatchObject({ method: 'POST', path: '/hooks/pno' });
    expect(webhook.requests[0]?.body).toMatchObject({
      version: 1,
      status: 'firing',
      type: 'service_health',
      severity: 'critical',
      service: 'pno-physics-bench',
      summary: alert.summary,
      details: alert.details,
      dedupKey: alert.dedupKey,
      expiresAt,
    });
  });

  it('closes a resolved alert with endsAt and no startsAt, and tells the webhook it is resolved', async () => {
    const result = await both().sendAlert({ ...alert, resolved: true });
    expect(result.status).toBe('resolved');
    const [sent] = alertmanager.requests[0]?.body as Record<string, unknown>[];
    expect(sent).not.toHaveProperty('startsAt');
    expect(Date.parse(sent?.endsAt as string)).not.toBeNaN();
    expect(sent?.labels).toMatchObject({ dedup: alert.dedupKey });
    expect(webhook.requests[0]?.body).toMatchObject({ status: 'resolved', dedupKey: alert.dedupKey });
  });

  it('logs the alert and reports delivered: [] when no sink is configured', async () => {
    const logged: { message: string; meta: Record<string, unknown> }[] = [];
    const result = await createAlertActivities({ log: (message, meta) => logged.push({ message, meta }) }).sendAlert(
      alert,
    );
    expect(result).toEqual({ dedupKey: alert.dedupKey, status: 'firing', delivered: [] });
    expect(logged).toHaveLength(1);
    expect(logged[0]?.message).toContain('no alert sink configured');
    expect(logged[0]?.meta).toMatchObject({ dedupKey: alert.dedupKey, severity: 'critical', status: 'firing' });
  });

  it('fails for good on a 4xx, naming the sink and the status', async () => {
    webhook.answer(400);
    const err = await failure(both().sendAlert(alert));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).type).toBe(FailureType.invalidRequest);
    expect(err.message).toContain('webhook');
    expect(err.message).toContain('HTTP 400');
  });

  it.each([[500], [503], [429]])('fails retryably on HTTP %i', async (status) => {
    alertmanager.answer(status);
    const err = await failure(both().sendAlert(alert));
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(err.message).toContain(`alertmanager: POST ${alertmanager.url}/api/v2/alerts answered HTTP ${status}`);
  });

  it('fails retryably when the sink refuses the connection', async () => {
    const port = await closedPort();
    const err = await failure(createAlertActivities({ webhookUrl: `http://127.0.0.1:${port}/hook` }).sendAlert(alert));
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(err.message).toMatch(/^webhook: POST http:\/\/127\.0\.0\.1:\d+\/hook failed: .*ECONNREFUSED/);
  });

  it('stays retryable when one sink is down and the other refuses', async () => {
    alertmanager.answer(503);
    webhook.answer(404);
    const err = await failure(both().sendAlert(alert));
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(err.message).toContain('HTTP 503');
    expect(err.message).toContain('HTTP 404');
  });

  it.each([
    [{ severity: 'fatal' }, 'severity'],
    [{ dedupKey: '' }, 'dedupKey'],
    [{ expiresAt: 'soon' }, 'expiresAt'],
  ])('refuses a malformed alert %j without sending it', async (change, field) => {
    const err = await failure(both().sendAlert({ ...alert, ...change } as SendAlertInput));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(FailureType.invalidInput);
    expect(err.message).toContain(`invalid alert: ${field}`);
    expect(alertmanager.requests).toHaveLength(0);
    expect(webhook.requests).toHaveLength(0);
  });
});

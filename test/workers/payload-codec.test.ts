// The payload codec: what the server stores is sealed (AES-256-GCM, key id in the metadata), so the
// raw history holds neither an input's secret nor the report's text; the codec server gives the
// `temporal` CLI (and the Web UI) the plain payloads back for whoever runs it with the key.
import { randomBytes } from 'node:crypto';
import type { WorkflowFailedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BackupKey } from '../../activities/archive/keys.ts';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { healthCheckWorkflow } from '../../workflows/index.ts';
import { productDataConverter } from '../../workers/codec/data-converter.ts';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../workers/codec/encryption-codec.ts';
import { startCodecServer, type CodecServer } from '../../workers/codec/server.ts';
import { workerKube } from '../helpers/kube.ts';
import { temporalCli, testClient, withWorker } from '../helpers/temporal.ts';

const json = (value: unknown): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());

/** Every payload's data in `temporal workflow show -o json` output (base64 there), as text, joined. */
function payloadTexts(output: string): string {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    const node = value as Record<string, unknown>;
    if (typeof node.data === 'string' && typeof node.metadata === 'object')
      found.push(Buffer.from(node.data, 'base64').toString('utf8'));
    Object.values(node).forEach(walk);
  };
  walk(JSON.parse(output));
  return found.join('\n');
}

describe('EncryptionCodec', () => {
  const key = new BackupKey(randomBytes(32));

  it('seals each payload under the key id, opens it again, and leaves plain payloads as they are', async () => {
    const codec = new EncryptionCodec(key);
    const plain = json({ secret: 'hunter2' });
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe(key.id);
    expect(Buffer.from(sealed!.data!).includes('hunter2')).toBe(false);
    const [opened] = await codec.decode([sealed!]);
    expect(Object.keys(opened!.metadata!)).toEqual(['encoding']);
    expect(text(opened!.metadata!.encoding)).toBe('json/plain');
    expect(text(opened!.data)).toBe('{"secret":"hunter2"}');
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('opens what a rotated-out key sealed, refuses an unknown key and any altered byte', async () => {
    const next = new BackupKey(randomBytes(32));
    const [old] = await new EncryptionCodec(key).encode([json(1)]);
    expect(text((await new EncryptionCodec(next, [key]).decode([old!]))[0]!.data)).toBe('1');
    await expect(new EncryptionCodec(next).decode([old!])).rejects.toThrow(
      new PayloadDecryptionError(`payload sealed with key ${key.id}, which is not in this keyring`),
    );
    const data = Buffer.from(old!.data!);
    data[20] = data[20]! ^ 1;
    await expect(new EncryptionCodec(key).decode([{ ...old!, data }])).rejects.toThrow(/failed authentication/);
    // The key id is bound to the cipher: relabelling a payload with another key's id does not open it.
    const relabelled = {
      ...old!,
      metadata: { ...old!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode(next.id) },
    };
    await expect(new EncryptionCodec(next).decode([relabelled])).rejects.toThrow(/failed authentication/);
  });
});

describe('a worker with a payload key', () => {
  const keys = { current: new BackupKey(randomBytes(32)), retired: [] };
  let api: InferenceApi;
  let codecServer: CodecServer;
  beforeAll(async () => {
    api = await startInferenceApi();
    codecServer = await startCodecServer({ codec: new EncryptionCodec(keys.current), token: 'op-token' });
  });
  afterAll(() => Promise.all([api.close(), codecServer.close()]));

  /** The history as the server stores it: every event's bytes, nothing decoded. */
  async function rawHistory(workflowId: string): Promise<Buffer> {
    const client = await testClient();
    const answer = await client.workflowService.getWorkflowExecutionHistory({
      namespace: inject('temporalNamespace'),
      execution: { workflowId },
    });
    return Buffer.from(proto.temporal.api.history.v1.History.encode(answer.history!).finish());
  }

  async function healthCheck(secret: string, sealed: boolean) {
    const activities = { ...createKubernetesActivities(workerKube()), ...createHttpActivities() };
    const workflowId = `codec-${sealed ? 'sealed' : 'plain'}-${randomBytes(4).toString('hex')}`;
    const report = await withWorker(
      activities,
      ({ client, taskQueue }) =>
        client.workflow.execute(healthCheckWorkflow, {
          taskQueue,
          workflowId,
          // The secret rides in the input and in every probe's URL, input and result.
          args: [{ apiBaseUrl: `${api.url}/tok-${secret}` }],
        }),
      sealed ? { dataConverter: productDataConverter(keys) } : {},
    );
    return { workflowId, report, raw: await rawHistory(workflowId) };
  }

  it('leaves no input secret and no report text in the stored history; the CLI shows both through the codec server', async () => {
    const secret = randomBytes(12).toString('hex');
    const { workflowId, report, raw } = await healthCheck(secret, true);
    const reportText = report.checks.pods.message;
    expect(reportText).toMatch(/pods ready$/);
    expect(raw.includes(secret)).toBe(false);
    expect(raw.includes(reportText)).toBe(false);
    expect(raw.includes(ENCRYPTED_ENCODING)).toBe(true);

    const show = (extra: string[]) =>
      temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', ...extra]);
    const sealedShow = payloadTexts((await show([])).stdout);
    expect(sealedShow).not.toContain(secret);
    const decoded = payloadTexts(
      (await show(['--codec-endpoint', codecServer.url, '--codec-auth', 'Bearer op-token'])).stdout,
    );
    expect(decoded).toContain(secret);
    expect(decoded).toContain(reportText);
    // Without the token the codec server decodes nothing.
    await expect(show(['--codec-endpoint', codecServer.url])).rejects.toThrow();
  });

  it("seals a failure's message too: the refusal names the value to the caller, never to the stored history", async () => {
    const secret = randomBytes(12).toString('hex');
    const refused = async (sealed: boolean) => {
      const workflowId = `codec-refused-${randomBytes(4).toString('hex')}`;
      const error = await withWorker(
        {},
        ({ client, taskQueue }) =>
          client.workflow
            .execute(healthCheckWorkflow, { taskQueue, workflowId, args: [{ selector: `token=${secret}!` }] })
            .then(
              () => undefined,
              (err: unknown) => err as WorkflowFailedError,
            ),
        sealed ? { dataConverter: productDataConverter(keys) } : {},
      );
      return { message: (error?.cause as Error | undefined)?.message, raw: await rawHistory(workflowId) };
    };
    const sealed = await refused(true);
    expect(sealed.message).toMatch(new RegExp(`^invalid input: selector must be a label selector.*${secret}`));
    expect(sealed.raw.includes(secret)).toBe(false);
    expect(sealed.raw.includes('Encoded failure')).toBe(true);
    // Encoded but not sealed without the key: the same message sits in the history as plain JSON.
    expect((await refused(false)).raw.includes(secret)).toBe(true);
  });

  it('without a key the same run stores both in plain (what the check above would catch)', async () => {
    const secret = randomBytes(12).toString('hex');
    const { report, raw } = await healthCheck(secret, false);
    expect(raw.includes(secret)).toBe(true);
    expect(raw.includes(report.checks.pods.message)).toBe(true);
  });

  it('answers the Web UI only from the origins it is given', async () => {
    const ui = await startCodecServer({
      codec: new EncryptionCodec(keys.current),
      allowOrigins: ['http://localhost:8233'],
    });
    try {
      const [sealed] = await new EncryptionCodec(keys.current).encode([json({ a: 1 })]);
      const body = JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
            ),
            data: Buffer.from(sealed!.data!).toString('base64'),
          },
        ],
      });
      const post = (origin: string) =>
        fetch(`${ui.url}/decode`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body });
      const allowed = await post('http://localhost:8233');
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      const answer = (await allowed.json()) as { payloads: { data: string }[] };
      expect(Buffer.from(answer.payloads[0]!.data, 'base64').toString()).toBe('{"a":1}');
      const preflight = await fetch(`${ui.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:8233' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Namespace');
      const elsewhere = await post('http://elsewhere.invalid');
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await ui.close();
    }
  });
});

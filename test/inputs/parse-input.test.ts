// parseInput and the shared field schemas, on a small input of their own.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FailureType } from '../../types/index.ts';
import {
  commandName,
  emptyOr,
  historyPrefix,
  httpUrlOrEmpty,
  integer,
  kubeName,
  objectKeyPrefix,
  selector,
} from '../../workflows/shared/fields.ts';
import { childInput, fieldPath, inputObject, parseInput } from '../../workflows/shared/input.ts';
import { refusal } from './helpers.ts';

const child = inputObject({
  size: integer(1, 10).default(5),
  low: integer(0, 10).default(1),
}).superRefine((input, ctx) => {
  if (input.low >= input.size) ctx.addIssue({ code: 'custom', path: ['low'], message: 'must be below size' });
});

const sample = inputObject({
  namespace: kubeName.default('production'),
  retries: integer(0, 5).default(2),
  tags: z.array(kubeName).default([]),
  nested: z
    .strictObject(
      { name: kubeName },
      { error: (i) => (i.code === 'unrecognized_keys' ? 'is not a field of a nested thing' : 'must be an object') },
    )
    .nullable()
    .default(null),
  child: childInput(child, 'childWorkflow').default({}),
});
const refused = (raw: unknown) => refusal(sample, 'sampleWorkflow', raw);

describe('parseInput', () => {
  it('fills in every default for {}, null and undefined', () => {
    const defaults = { namespace: 'production', retries: 2, tags: [], nested: null, child: {} };
    expect(parseInput(sample, 'sampleWorkflow', {})).toEqual(defaults);
    expect(parseInput(sample, 'sampleWorkflow', null)).toEqual(defaults);
    expect(parseInput(sample, 'sampleWorkflow', undefined)).toEqual(defaults);
  });

  it('keeps what the caller set', () => {
    expect(parseInput(sample, 'sampleWorkflow', { retries: 0, tags: ['a'] })).toMatchObject({
      namespace: 'production',
      retries: 0,
      tags: ['a'],
    });
  });

  it('throws a non-retryable InvalidInput failure naming the field, the rule and the value', () => {
    expect(refused({ retries: 9 })).toEqual({
      field: 'retries',
      message: 'invalid input: retries must be an integer from 0 to 5 (got 9)',
      type: FailureType.invalidInput,
      nonRetryable: true,
    });
  });

  it('names a field that is not an object as `input`', () => {
    for (const raw of [[], 'x', 3, true])
      expect(refused(raw)).toMatchObject({
        field: 'input',
        message: `invalid input: input must be a JSON object (got ${JSON.stringify(raw)})`,
      });
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'])(
    'refuses %s as an unknown field, not a prototype member',
    (key) => {
      const raw = JSON.parse(`{${JSON.stringify(key)}: {"x": 1}}`);
      expect(Object.hasOwn(raw, key)).toBe(true);
      expect(refused(raw)).toEqual({
        field: key,
        message: `invalid input: ${key} is not a field of sampleWorkflow's input (got {"x":1})`,
        type: FailureType.invalidInput,
        nonRetryable: true,
      });
    },
  );

  it('writes nested paths as a user writes them', () => {
    expect(refused({ tags: ['ok', 'Not OK'] }).field).toBe('tags[1]');
    expect(refused({ nested: { name: 'n', extra: 1 } })).toMatchObject({
      field: 'nested.extra',
      message: 'invalid input: nested.extra is not a field of a nested thing (got 1)',
    });
    expect(refused({ nested: { name: 'N' } })).toMatchObject({
      field: 'nested.name',
      message: expect.stringContaining('(got "N")'),
    });
    expect(fieldPath(['expectedInputs', 0, 'shape'])).toBe('expectedInputs[0].shape');
  });

  it('reports an own prototype-named key inside a nested object as unknown too', () => {
    expect(refused(JSON.parse('{"nested": {"name": "n", "constructor": 1}}'))).toMatchObject({
      field: 'nested.constructor',
    });
  });

  it('cuts a long value in the message', () => {
    const { message } = refused({ namespace: 'x'.repeat(500) });
    expect(message.length).toBeLessThan(400);
    expect(message).toMatch(/…\)$/);
  });
});

describe('childInput', () => {
  it("passes a child's input on as given, without the child's defaults", () => {
    expect(parseInput(sample, 'sampleWorkflow', { child: { size: 3 } }).child).toEqual({ size: 3 });
  });

  it("applies the child's field rules, unknown-field check and cross-field rules up front", () => {
    expect(refused({ child: { size: 0 } })).toMatchObject({
      field: 'child.size',
      message: expect.stringContaining('must be an integer from 1 to 10'),
    });
    expect(refused({ child: { colour: 'blue' } })).toMatchObject({
      field: 'child.colour',
      message: expect.stringContaining("is not a field of childWorkflow's input"),
    });
    // low defaults to 1, so size 1 breaks the child's rule only once its defaults are applied.
    expect(refused({ child: { size: 1 } })).toMatchObject({
      field: 'child.low',
      message: 'invalid input: child.low must be below size (got undefined)',
    });
    expect(refused({ child: 'x' })).toMatchObject({
      field: 'child',
      message: expect.stringContaining("must be childWorkflow's input object"),
    });
  });
});

describe('shared field rules', () => {
  const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

  it('kube names: RFC 1123 labels of at most 63 characters', () => {
    for (const ok of ['production', 'a', 'pno-dr-drill', 'a'.repeat(63)]) expect(accepts(kubeName, ok), ok).toBe(true);
    for (const bad of ['', 'Production', '-a', 'a-', 'a_b', 'a'.repeat(64), 7])
      expect(accepts(kubeName, bad), String(bad)).toBe(false);
  });

  it('selectors: key=value pairs joined by commas', () => {
    for (const ok of ['app=pno-physics-bench', 'app=a,tier!=web', 'app==a, tier=b', 'k8s.io/name=x', 'app='])
      expect(accepts(selector, ok), ok).toBe(true);
    for (const bad of ['', 'app', 'app=a,', ',app=a', 'app=a b', '=a']) expect(accepts(selector, bad), bad).toBe(false);
  });

  it('API URLs: empty, or absolute http(s)', () => {
    for (const ok of ['', 'http://localhost:8000', 'https://api.example.com/v1'])
      expect(accepts(httpUrlOrEmpty, ok), ok).toBe(true);
    const messages = (value: unknown) => httpUrlOrEmpty.safeParse(value).error?.issues[0]?.message;
    expect(messages('not a url')).toBe('must be an absolute http(s) URL');
    expect(messages('ftp://example.com')).toBe('must use http or https');
    expect(messages(5)).toBe('must be an http(s) URL string');
  });

  it('object key prefixes: lowercase segments, no .. and no empty segment', () => {
    for (const ok of ['pno/backups', 'a1', 'x/y.z_w-v']) expect(accepts(objectKeyPrefix, ok), ok).toBe(true);
    for (const bad of ['', 'a', '/pno', 'pno/', 'pno//b', 'pno/../b', 'Pno/b'])
      expect(accepts(objectKeyPrefix, bad), bad).toBe(false);
  });

  it('history prefixes: empty, or plain lowercase segments', () => {
    const prefix = historyPrefix('monitoring/health');
    for (const ok of ['', 'monitoring/health', 'a']) expect(accepts(prefix, ok), ok).toBe(true);
    for (const bad of ['../elsewhere', '/abs', 'a//b', 'a/']) expect(accepts(prefix, bad), bad).toBe(false);
  });

  it('commands: a name of the configuration, never an argument array', () => {
    for (const ok of ['log-rotate', 'db-dump', 'x']) expect(accepts(commandName, ok), ok).toBe(true);
    for (const bad of [['logrotate', '-f'], 'logrotate -f', '', 'Log', '-x', 'a/b'])
      expect(accepts(commandName, bad), JSON.stringify(bad)).toBe(false);
  });

  it("emptyOr: empty, or what the wrapped schema accepts, refused with that schema's rule", () => {
    const name = emptyOr(kubeName, 'must be a name');
    expect(accepts(name, '')).toBe(true);
    expect(accepts(name, 'a')).toBe(true);
    expect(name.safeParse('A').error?.issues[0]?.message).toMatch(/^must be a Kubernetes name/);
    expect(name.safeParse(5).error?.issues[0]?.message).toBe('must be a name');
  });
});

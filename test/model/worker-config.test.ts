// The worker's model settings: the committed fixtures by default, so `--input '{}'` checks a real model.
import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readWorkerConfig, type ConfigError } from '../../workers/config.ts';
import { fixture, goodModel, validationSet } from './fixtures.ts';

describe('worker model settings', () => {
  it('default to the committed fixture model and validation set', async () => {
    const config = readWorkerConfig({});
    expect(config.modelPath).toBe(goodModel);
    expect(config.validationSetPath).toBe(validationSet);
    await expect(access(config.modelPath)).resolves.toBeUndefined();
    await expect(access(config.validationSetPath)).resolves.toBeUndefined();
  });

  it('take PNO_MODEL_PATH and PNO_VALIDATION_SET_PATH', () => {
    const model = fixture('pno_overconfident.onnx');
    const data = fixture('validation_flat_y.npz');
    expect(readWorkerConfig({ PNO_MODEL_PATH: model, PNO_VALIDATION_SET_PATH: data })).toMatchObject({ modelPath: model, validationSetPath: data });
  });

  it('name an unreadable path at start', () => {
    let problems: string[] = [];
    try {
      readWorkerConfig({ PNO_MODEL_PATH: '/nonexistent/pno.onnx', PNO_VALIDATION_SET_PATH: '/nonexistent/set.npz' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'PNO_MODEL_PATH: cannot read /nonexistent/pno.onnx (ENOENT)',
      'PNO_VALIDATION_SET_PATH: cannot read /nonexistent/set.npz (ENOENT)',
    ]);
  });
});

// The worker's model settings.
import { describe, expect, it } from 'vitest';
import { readWorkerConfig, type ConfigError } from '../../workers/config.ts';
import { fixture } from './fixtures.ts';

describe('worker model settings', () => {
  it('are unset by default (a check then names the missing variable)', () => {
    const config = readWorkerConfig({});
    expect(config.modelPath).toBeUndefined();
    expect(config.validationSetPath).toBeUndefined();
  });

  it('take PNO_MODEL_PATH and PNO_VALIDATION_SET_PATH', () => {
    const model = fixture('pno_overconfident.onnx');
    const data = fixture('validation_flat_y.npz');
    expect(readWorkerConfig({ PNO_MODEL_PATH: model, PNO_VALIDATION_SET_PATH: data })).toMatchObject({
      modelPath: model,
      validationSetPath: data,
    });
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

// Runs the first samples of the validation set through ONNX Runtime, one at a time, and measures:
// non-finite outputs, relative L2 error of the mean, 2σ coverage of the targets, per-sample latency.
import * as ort from 'onnxruntime-node';
import { FailureType, type ModelInferenceFacts } from '../../types/index.ts';
import { cancellationSignal, heartbeat } from './activity-context.ts';
import { modelFailure } from './failures.ts';
import { countInside2Sigma, countNonFinite, relativeL2, summarizeLatency } from './stats.ts';
import type { ValidationSet } from './validation-set.ts';

export interface InferenceRequest {
  samples: number;
  meanOutput: string;
  /** Empty for a deterministic model: no coverage is measured. */
  logVarianceOutput: string;
}

export async function measureInference(
  local: { path: string; model: string; sha256: string },
  data: ValidationSet,
  request: InferenceRequest,
): Promise<ModelInferenceFacts> {
  const loadStarted = performance.now();
  const session = await openSession(local.path);
  const loadMs = round(performance.now() - loadStarted);
  try {
    const input = onlyInput(session);
    const outputs = [request.meanOutput, request.logVarianceOutput].filter((name) => name !== '');
    const absent = outputs.filter((name) => !session.outputNames.includes(name));
    if (absent.length > 0) {
      throw modelFailure(
        FailureType.invalidModel,
        `model has no output ${absent.join(', ')} (it has ${session.outputNames.join(', ')})`,
      );
    }
    const feeds = (i: number) => ({ [input]: new ort.Tensor('float32', data.x(i), [1, ...data.sampleShape.x]) });
    const run = async (i: number, feed: ReturnType<typeof feeds>) => {
      try {
        return await session.run(feed, outputs);
      } catch (err) {
        // Same model, same input: ONNX Runtime would refuse it again on retry.
        throw modelFailure(
          FailureType.invalidModel,
          `ONNX Runtime cannot run sample ${i}: ${(err as Error).message.trim()}`,
        );
      }
    };

    const samples = Math.min(request.samples, data.count);
    await run(0, feeds(0)); // warm-up: the first run allocates; it is not a fair latency sample
    const latencies: number[] = [];
    const nonFinite: Record<string, number> = {};
    let errorSum = 0;
    let inside = 0;
    let targets = 0;
    for (let i = 0; i < samples; i++) {
      cancellationSignal()?.throwIfAborted();
      const feed = feeds(i);
      const started = performance.now();
      const result = await run(i, feed);
      latencies.push(performance.now() - started);
      heartbeat({ sample: i + 1, of: samples });

      const target = data.y(i);
      const mean = outputData(result, request.meanOutput, data.sampleShape.y);
      const logVariance = request.logVarianceOutput
        ? outputData(result, request.logVarianceOutput, data.sampleShape.y)
        : undefined;
      for (const [name, values] of [
        [request.meanOutput, mean],
        [request.logVarianceOutput, logVariance],
      ] as const) {
        if (!values) continue;
        const { nan, inf } = countNonFinite(values);
        if (nan + inf > 0) nonFinite[name] = (nonFinite[name] ?? 0) + nan + inf;
      }
      errorSum += relativeL2(mean, target);
      if (logVariance) inside += countInside2Sigma(mean, logVariance, target);
      targets += target.length;
    }
    // JSON has no NaN: metrics over non-finite outputs would arrive as null anyway, so say so plainly.
    const finite = Object.keys(nonFinite).length === 0;
    return {
      model: local.model,
      sha256: local.sha256,
      samples,
      loadMs,
      latencyMs: summarizeLatency(latencies),
      nonFiniteOutputs: nonFinite,
      relativeL2Error: finite ? errorSum / samples : null,
      coverage2Sigma: finite && request.logVarianceOutput ? inside / targets : null,
      targets,
    };
  } finally {
    await session.release();
  }
}

async function openSession(path: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path);
  } catch (err) {
    throw modelFailure(FailureType.invalidModel, `ONNX Runtime cannot load the model: ${(err as Error).message}`);
  }
}

function onlyInput(session: ort.InferenceSession): string {
  const [input, ...rest] = session.inputNames;
  if (input === undefined || rest.length > 0) {
    throw modelFailure(
      FailureType.invalidModel,
      `model must take one input, it takes ${session.inputNames.length} (${session.inputNames.join(', ')})`,
    );
  }
  return input;
}

/** One output of a batch-of-one run, checked to have the target's per-sample shape. */
function outputData(result: ort.InferenceSession.ReturnType, name: string, targetShape: number[]): Float32Array {
  const tensor = result[name]!;
  const shape = tensor.dims.slice(1);
  if (tensor.type !== 'float32' || shape.join(',') !== targetShape.join(',')) {
    throw modelFailure(
      FailureType.invalidData,
      `output ${name} is ${tensor.type} [${shape}] per sample but y is [${targetShape}]`,
    );
  }
  return tensor.data as Float32Array;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

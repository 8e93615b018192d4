// `npm run bench:model [model.onnx] [validation_set.npz]`: ONNX Runtime load time and per-batch
// latency for batch sizes 1, 8 and 32, each compared with batch 1 measured in the same process.
// Figures only; nothing here asserts on time.
import * as ort from 'onnxruntime-node';
import { percentile } from '../../activities/model/stats.ts';
import { loadValidationSet } from '../../activities/model/validation-set.ts';
import { goodModel, validationSet } from '../model/fixtures.ts';

const [modelPath = goodModel, dataPath = validationSet] = process.argv.slice(2);
const LOADS = 5;
const WARMUP = 5;
const RUNS = 200;
const BATCHES = [1, 8, 32];

const data = await loadValidationSet(dataPath);
const loadMs: number[] = [];
let session: ort.InferenceSession | undefined;
for (let i = 0; i < LOADS; i++) {
  await session?.release();
  const started = performance.now();
  session = await ort.InferenceSession.create(modelPath);
  loadMs.push(performance.now() - started);
}
const model = session!;
const input = model.inputNames[0]!;

/** A batch of `size` samples, cycling through the validation set when it holds fewer. */
function batch(size: number): ort.Tensor {
  const sample = data.x(0).length;
  const x = new Float32Array(size * sample);
  for (let i = 0; i < size; i++) x.set(data.x(i % data.count), i * sample);
  return new ort.Tensor('float32', x, [size, ...data.sampleShape.x]);
}

async function time(size: number): Promise<{ p50: number; p95: number }> {
  const feeds = { [input]: batch(size) };
  for (let i = 0; i < WARMUP; i++) await model.run(feeds);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await model.run(feeds);
    ms.push(performance.now() - started);
  }
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
}

const results = [];
for (const size of BATCHES) results.push({ size, ...(await time(size)) });
await model.release();

const baseline = results[0]!.p50;
const cell = (v: number | string, width: number) => String(v).padStart(width);
const ms = (v: number) => v.toFixed(3);
const lines = [
  `model ${modelPath}`,
  `load (session create, ${LOADS}x): first ${ms(loadMs[0]!)} ms, median ${ms(percentile(loadMs, 0.5))} ms`,
  `latency over ${RUNS} runs after ${WARMUP} warm-up; baseline = batch 1 p50 (${ms(baseline)} ms), same process`,
  `${cell('batch', 5)}${cell('p50 ms', 10)}${cell('p95 ms', 10)}${cell('ms/sample', 11)}${cell('vs baseline', 13)}${cell('per-sample speedup', 20)}`,
  ...results.map(
    (r) =>
      `${cell(r.size, 5)}${cell(ms(r.p50), 10)}${cell(ms(r.p95), 10)}${cell((r.p50 / r.size).toFixed(4), 11)}` +
      `${cell(`${(r.p50 / baseline).toFixed(2)}x`, 13)}${cell(`${((baseline * r.size) / r.p50).toFixed(2)}x`, 20)}`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);

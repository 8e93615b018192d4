// Paths of the committed model fixtures (built by test/fixtures/model/generate.py).
import { fileURLToPath } from 'node:url';

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/model/${name}`, import.meta.url));

export const goodModel = fixture('pno.onnx');
export const validationSet = fixture('validation_set.npz');

// The model health activities: integrity facts and inference measurements for one model source.
import { ApplicationFailure } from '@temporalio/common';
import {
  FailureType,
  type ModelInferenceFacts,
  type ModelIntegrityFacts,
  type ModelSource,
} from '../../types/index.ts';
import { modelFailure } from './failures.ts';
import { measureInference, type InferenceRequest } from './inference.ts';
import { inspectModelFile } from './integrity.ts';
import { describeSource, fetchModel, sha256File, type ModelDeps } from './source.ts';
import { loadValidationSet } from './validation-set.ts';

export type { ModelDeps } from './source.ts';

export interface InferenceInput extends InferenceRequest {
  source: ModelSource;
  /** Empty means the worker's PNO_VALIDATION_SET_PATH. */
  validationSetPath: string;
}

export function createModelActivities(deps: ModelDeps = {}) {
  return {
    /** Exists, digest, parses, graph inputs/outputs, NaN/Inf in weights: facts, not a verdict. */
    async checkModelIntegrity(input: { source: ModelSource }): Promise<ModelIntegrityFacts> {
      let local;
      try {
        local = await fetchModel(input.source, deps);
      } catch (err) {
        // A model that is not there is the first thing an integrity check reports, not an error.
        if (err instanceof ApplicationFailure && err.type === FailureType.modelUnavailable) {
          return { model: describeSource(input.source, deps), readError: err.message };
        }
        throw err;
      }
      try {
        return await inspectModelFile(local.path, local.model);
      } finally {
        await local.release();
      }
    },

    /** Runs the first samples of the validation set and reports what the model got right and how fast. */
    async runModelInference(input: InferenceInput): Promise<ModelInferenceFacts> {
      const dataPath = input.validationSetPath || deps.defaultValidationSetPath;
      if (!dataPath) {
        throw modelFailure(
          FailureType.invalidInput,
          'no validation set: pass validationSetPath in the input or set PNO_VALIDATION_SET_PATH on the worker',
        );
      }
      const data = await loadValidationSet(dataPath);
      const local = await fetchModel(input.source, deps);
      try {
        // Reported so the workflow can tell the model it ran is the one whose integrity it checked.
        const sha256 = await sha256File(local.path);
        return await measureInference({ ...local, sha256 }, data, input);
      } finally {
        await local.release();
      }
    },
  };
}

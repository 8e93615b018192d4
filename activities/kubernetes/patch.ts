import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

// The typed client sends JSON Patch by default; these choose the patch type per call.
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

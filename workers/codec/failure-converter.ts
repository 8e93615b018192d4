// Failures keep their message and stack trace in an encoded attributes payload, which the payload
// codec seals like any other: a refusal or an activity's error leaves only "Encoded failure" in the
// stored history. Every SDK client reads such failures back as they were, with or without the key
// (the payload is plain JSON when there is none). Loaded into the workflow bundle: no Node imports.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

// What a maintenance routine reports: each step's outcome, and the routine's summary.
export type StepStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface StepOutcome {
  step: string;
  status: StepStatus;
  detail: string;
  durationMs: number;
}

export interface RoutineReport {
  routine: 'daily' | 'weekly' | 'monthly' | 'quarterly';
  status: 'ok' | 'warn' | 'fail';
  startedAt: string;
  durationMs: number;
  steps: StepOutcome[];
  /** Where the report was stored in the bucket; empty when storing it failed (the report says why). */
  reportKey: string;
  alerted: boolean;
}

/** What every workflow's `progress` query answers. */
export interface Progress {
  phase: string;
  stepsDone: number;
  stepsTotal: number;
  detail?: string;
}

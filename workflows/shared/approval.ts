// Human approval before a risky change (a security rollout, a restore over a serving namespace): a
// Temporal Update `approve` (the caller learns at once whether it was taken) and a signal `approve`
// for clients that can only signal. Either decides once.
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export interface ApprovalDecision {
  approve: boolean;
  /** Who decided: recorded in history and the result. */
  by: string;
  reason?: string;
}

export interface ApprovalAnswer {
  accepted: boolean;
  decision: ApprovalDecision;
}

export const approveUpdate = defineUpdate<ApprovalAnswer, [ApprovalDecision]>('approve');
export const approveSignal = defineSignal<[ApprovalDecision]>('approve');

function checkDecision(d: unknown): asserts d is ApprovalDecision {
  const decision = d as Partial<ApprovalDecision> | null;
  if (typeof decision !== 'object' || decision === null || typeof decision.approve !== 'boolean') {
    throw new Error('approve: expected {"approve": true|false, "by": "<who>"}');
  }
  if (typeof decision.by !== 'string' || decision.by.trim() === '')
    throw new Error('approve: "by" must name who decides');
}

/**
 * Registers the handlers. Until `open()` is called, an update is rejected (nothing awaits a decision
 * yet); after the first decision, later ones are rejected too, so an approval cannot be replaced.
 */
export function approvalGate() {
  let open = false;
  let decided: ApprovalDecision | undefined;
  setHandler(
    approveUpdate,
    (decision) => {
      decided = decision;
      return { accepted: true, decision };
    },
    {
      validator: (decision) => {
        checkDecision(decision);
        if (!open) throw new Error('approve: this run is not waiting for approval');
        if (decided) throw new Error(`approve: already decided by ${decided.by}`);
      },
    },
  );
  setHandler(approveSignal, (decision) => {
    // Signals cannot be refused; a malformed or late one is ignored (the update says why).
    try {
      checkDecision(decision);
    } catch {
      return;
    }
    if (open && !decided) decided = decision;
  });
  return {
    /** Waits for a decision up to `timeoutMs`; undefined when the deadline passes first. */
    async await(timeoutMs: number): Promise<ApprovalDecision | undefined> {
      open = true;
      try {
        await condition(() => decided !== undefined, timeoutMs);
        return decided;
      } finally {
        open = false;
      }
    },
  };
}

// Human approval before a risky change (a security rollout, a restore over a serving namespace): a
// Temporal Update `approve` (the caller learns at once whether it was taken) and a signal `approve`
// for clients that can only signal. Either decides once. While it waits, the run says so where
// people look: an alert with the exact commands, the Web UI's current details, and PnoApproval.
import {
  CancellationScope,
  condition,
  isCancellation,
  defineSignal,
  defineUpdate,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { searchAttributes, type SendAlertInput } from '../../types/index.ts';

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

/** What a waiting run tells people, and how it alerts them (its own sink, service and labels). */
export interface ApprovalRequest {
  /** What approving changes, e.g. "restore pno/backups/x over 2 ready pods in production". */
  change: string;
  alert: (alert: Omit<SendAlertInput, 'service'>) => Promise<unknown>;
}

/** The commands that decide this run, as the alert, the Web UI and `pno approvals` show them. */
export function decisionCommands(workflowId: string): { approve: string; reject: string } {
  return {
    approve: `pno approve ${workflowId} --by <you>`,
    reject: `pno reject ${workflowId} --by <you> --reason "<why>"`,
  };
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
    /**
     * Waits for a decision up to `timeoutMs`; undefined when the deadline passes first. With a
     * request, the wait is announced (runs recorded before announcements wait silently).
     */
    async await(timeoutMs: number, request?: ApprovalRequest): Promise<ApprovalDecision | undefined> {
      open = true;
      const announced = request && patched('approval-announced') ? await announce(request, timeoutMs) : undefined;
      let cancelled = false;
      try {
        await condition(() => decided !== undefined, timeoutMs);
        return decided;
      } catch (err) {
        cancelled = isCancellation(err);
        throw err;
      } finally {
        open = false;
        // Closed even when the run is cancelled: no alert may go on asking for a decision nobody can make.
        if (announced) await CancellationScope.nonCancellable(() => announced(cancelled ? 'cancelled' : decided));
      }
    },
  };
}

/** Raises the alert, the Web UI details and PnoApproval=awaiting; returns what closes them. */
async function announce(request: ApprovalRequest, timeoutMs: number) {
  const { workflowId } = workflowInfo();
  const commands = decisionCommands(workflowId);
  const dedupKey = `approval:${workflowId}`;
  const minutes = Math.round(timeoutMs / 60_000);
  setCurrentDetails(
    [
      `**Waiting for approval** (up to ${minutes} min): ${request.change}`,
      '',
      `Approve: \`${commands.approve}\``,
      `Reject: \`${commands.reject}\``,
    ].join('\n'),
  );
  upsertSearchAttributes([{ key: searchAttributes.approval, value: 'awaiting' }]);
  // Best effort: an alert sink that is down must not block the change the run waits to make.
  await bestEffort(
    request.alert({
      type: 'approval_required',
      severity: 'warning',
      summary: `${workflowId} waits for approval (up to ${minutes} min): ${request.change}. Approve: ${commands.approve}`,
      details: { workflowId, change: request.change, ...commands },
      dedupKey,
    }),
  );
  return async (decision: ApprovalDecision | 'cancelled' | undefined) => {
    const by = typeof decision === 'object' ? ` by ${decision.by}` : '';
    const outcome =
      decision === 'cancelled' ? 'cancelled' : decision ? (decision.approve ? 'approved' : 'rejected') : 'expired';
    setCurrentDetails(`Approval ${outcome}${by}: ${request.change}`);
    upsertSearchAttributes([{ key: searchAttributes.approval, value: outcome }]);
    await bestEffort(
      request.alert({
        type: 'approval_required',
        severity: 'info',
        summary: `${workflowId}: approval ${outcome}${by}`,
        dedupKey,
        resolved: true,
      }),
    );
  };
}

/** An alert that failed after its retries is no reason to fail the run. */
const bestEffort = (sent: Promise<unknown>) => sent.catch(() => undefined);

// What a recording shows about the workflow code: what it did in order (each activity, child, timer,
// marker with its name) and how each of those ended. Two recordings with the same shape cover the
// same replay ground, so the recorder keeps a new one only when its shape differs from the newest.
//
// Left out, because they follow timing rather than code: workflow task events (how the server
// batched progress) and where an outcome landed among other events (parallel activities finish in
// any order). Outcomes are listed under the event they answer instead.

interface EventJSON {
  eventId: string;
  eventType: string;
  [attributes: string]: unknown;
}

interface AttributesJSON {
  activityType?: { name?: string };
  workflowType?: { name?: string };
  markerName?: string;
  signalName?: string;
  scheduledEventId?: string;
  initiatedEventId?: string;
  startedEventId?: string;
}

/** The history in proto JSON (as recorded) to one line per thing the workflow did or was sent. */
export function historyShape(history: unknown): string[] {
  const events = (history as { events?: EventJSON[] }).events ?? [];
  const lines = new Map<string, string>();
  for (const event of events) {
    const type = event.eventType.replace(/^EVENT_TYPE_/, '');
    if (type.startsWith('WORKFLOW_TASK_')) continue;
    const attributes = attributesOf(event);
    // An outcome names the event it answers: the scheduled activity, the initiated child, the timer.
    const answers = attributes.scheduledEventId ?? attributes.initiatedEventId ?? attributes.startedEventId;
    const answered = answers === undefined ? undefined : lines.get(answers);
    if (answers !== undefined && answered !== undefined) {
      lines.set(answers, `${answered} ${type}`);
      continue;
    }
    const name =
      attributes.activityType?.name ?? attributes.workflowType?.name ?? attributes.markerName ?? attributes.signalName;
    lines.set(event.eventId, name ? `${type} ${name}` : type);
  }
  return [...lines.values()];
}

export function sameShape(a: unknown, b: unknown): boolean {
  const [x, y] = [historyShape(a), historyShape(b)];
  return x.length === y.length && x.every((line, i) => line === y[i]);
}

function attributesOf(event: EventJSON): AttributesJSON {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes'));
  return (key ? event[key] : {}) as AttributesJSON;
}

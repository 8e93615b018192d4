// The shared vocabulary: what workflows and activities say to each other. Types and constants only,
// so workflow code can import it without pulling anything non-deterministic into the bundle.
export * from './health.ts';
export * from './kubernetes.ts';
export * from './errors.ts';
export * from './progress.ts';
export * from './search-attributes.ts';
export * from './model.ts';
export * from './backup.ts';
export * from './security.ts';
export * from './alerts.ts';
export * from './access.ts';

/** The one task queue every worker polls and every schedule and manual start targets. */
export const TASK_QUEUE = 'pno-maintenance';
export * from './backup-workflows.ts';
export * from './routines.ts';

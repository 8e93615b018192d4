// Every workflow the worker registers. The worker bundle is built from this file.
export { healthCheckWorkflow } from './monitoring/health-check.ts';
export { modelHealthWorkflow, type ModelHealthInput } from './model/health.ts';
export { securityUpdateWorkflow, type SecurityUpdateInput, type SecurityUpdateResult } from './security/update.ts';
export {
  certificateExpiryWorkflow,
  type CertificateExpiryInput,
  type CertificateExpiryResult,
} from './security/certificates.ts';
export { securityAuditWorkflow, type SecurityAuditInput, type SecurityAuditResult } from './security/audit.ts';
export { healthMonitorWorkflow, type HealthMonitorInput, type HealthMonitorResult } from './monitoring/monitor.ts';
export { autoScalingOptimizerWorkflow } from './optimizers/auto-scaling.ts';
export { performanceOptimizerWorkflow } from './optimizers/performance.ts';
export { backupWorkflow } from './backup/backup.ts';
export { disasterRecoveryWorkflow } from './backup/recovery.ts';
export { restoreDrillWorkflow } from './backup/drill.ts';
export { dailyMaintenanceWorkflow } from './routines/daily.ts';
export { weeklyMaintenanceWorkflow } from './routines/weekly.ts';
export { monthlyMaintenanceWorkflow } from './routines/monthly.ts';
export { quarterlyMaintenanceWorkflow } from './routines/quarterly.ts';

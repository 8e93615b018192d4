// Every workflow the worker registers. The worker bundle is built from this file.
export { healthCheckWorkflow } from './health-check.ts';
export { modelHealthWorkflow, type ModelHealthInput } from './model-health.ts';
export { securityUpdateWorkflow, type SecurityUpdateInput, type SecurityUpdateResult } from './security-update.ts';
export { certificateExpiryWorkflow, type CertificateExpiryInput, type CertificateExpiryResult } from './security-certificates.ts';
export { securityAuditWorkflow, type SecurityAuditInput, type SecurityAuditResult } from './security-audit.ts';
export { healthMonitorWorkflow, type HealthMonitorInput, type HealthMonitorResult } from './health-monitor.ts';
export { autoScalingOptimizerWorkflow } from './auto-scaling-optimizer.ts';
export { performanceOptimizerWorkflow } from './performance-optimizer.ts';
export { backupWorkflow } from './backup.ts';
export { disasterRecoveryWorkflow } from './disaster-recovery.ts';
export { restoreDrillWorkflow } from './restore-drill.ts';
export { dailyMaintenanceWorkflow } from './routines/daily.ts';
export { weeklyMaintenanceWorkflow } from './routines/weekly.ts';
export { monthlyMaintenanceWorkflow } from './routines/monthly.ts';
export { quarterlyMaintenanceWorkflow } from './routines/quarterly.ts';

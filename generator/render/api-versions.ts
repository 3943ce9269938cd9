/**
 * The REST API versions we speak, in the ARM templates and in push alike (one place).
 *
 * Microsoft.SecurityInsights: 2025-10-01-preview, the newest version Microsoft publishes a contract
 * for (../shared/specs, azure-rest-api-specs `preview/2025-10-01-preview`). Near-real-time rules
 * exist only in preview versions, and one version for alert rules, automation rules, watchlists and
 * incidents keeps every body we send under one contract (the contract tests validate against it).
 */
export const SENTINEL_API_VERSION = '2025-10-01-preview';

/** Microsoft.Resources deployments (the playbook, its connections and the workbook). */
export const DEPLOYMENTS_API_VERSION = '2025-03-01';

import type { GraphError } from '../graph/graph-client.js';
import { isLicenceRefusal, type Read } from './read-tenant.js';

/**
 * One line of the posture report. `unknown` is a check that could not be made (a permission,
 * a licence or Graph itself in the way): it fails the run like `fail`, since a check that was
 * not made proves nothing.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';

export type Subject = { kind: 'tenant' } | { kind: 'group'; displayName: string } | { kind: 'account'; index: number; userPrincipalName: string };

export interface CheckResult {
  /** Stable id, e.g. `account/ca-excluded`; SARIF's ruleId is `posture/<id>`. */
  id: string;
  subject: Subject;
  status: CheckStatus;
  message: string;
  /** What to do about it (not for passes). */
  fix?: string;
  /** One line each: the offending policies, methods, members. */
  details?: string[];
  /** Machine-readable facts for --format json (e.g. the offending policies with their ids). */
  data?: Record<string, unknown>;
}

export const STATUS_ORDER: Record<CheckStatus, number> = { pass: 0, warn: 1, unknown: 2, fail: 3 };

export function worst(statuses: readonly CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((a, b) => (STATUS_ORDER[b] > STATUS_ORDER[a] ? b : a), 'pass');
}

/** Why a check could not be made, naming the permission it needed when Graph refused (403). */
export function unknownResult(id: string, subject: Subject, read: Read<unknown>, what: string): CheckResult {
  const error = (read.result as { error: GraphError }).error;
  const said = `${error.request} answered ${error.status || 'no response'}${error.code ? ` ${error.code}` : ''}: ${error.message}`;
  if (isLicenceRefusal(read.result)) {
    return { id, subject, status: 'unknown', message: `${what}: Graph needs a licence the tenant lacks (${said})`, fix: 'This read needs Microsoft Entra ID P1 or P2 (PIM: P2 or ID Governance). Without it, check this by hand in the Entra admin center.', data: { request: error.request, status: error.status, code: error.code } };
  }
  if (error.status === 403 || error.status === 401) {
    return {
      id,
      subject,
      status: 'unknown',
      message: `${what}: the identity lacks the Microsoft Graph permission ${read.permission} (${said})`,
      fix: `Grant the application permission ${read.permission} to the identity posture runs as, with admin consent (README: Posture permissions).`,
      data: { request: error.request, status: error.status, code: error.code, permission: read.permission },
    };
  }
  return { id, subject, status: 'unknown', message: `${what}: Microsoft Graph could not be read (${said})`, fix: 'Run posture again; if it persists, check the Graph endpoint and the network.', data: { request: error.request, status: error.status, code: error.code } };
}

export function days(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

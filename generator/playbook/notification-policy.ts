/**
 * When people are told about an incident of our rules: always when it is created, and again when
 * alerts of our rules are added to it (Defender's correlation can merge a break-glass alert into an
 * existing incident, which never raises "incident created"), but no more often than this. The
 * automation rule and the playbook enforce it; replay's notification model reads the same number.
 */
export const NOTIFY_AGAIN_AFTER_MINUTES = 15;

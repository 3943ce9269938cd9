/**
 * ARM evaluates any JSON string that starts with `[` and ends with `]` as a template expression.
 * Expressions we mean are built with `arm(...)`; every other string (a manifest value, a query,
 * a message) that happens to look like one is escaped with a second `[`, so no value from the
 * manifest can run as an ARM expression.
 */
export class ArmExpression {
  constructor(readonly text: string) {}
}

export function arm(text: string): ArmExpression {
  return new ArmExpression(text);
}

/**
 * A value of a template: JSON whose strings may be ARM expressions. Objects are open (`object`)
 * so that the SDK's model interfaces fit; `toArmJson` walks whatever it is given.
 */
export type ArmValue = string | number | boolean | null | ArmExpression | readonly ArmValue[] | { readonly [key: string]: ArmValue | undefined } | object;

export const DEPLOYMENT_TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
export const TENANT_DEPLOYMENT_TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#';

export function toArmJson(value: ArmValue): unknown {
  if (value instanceof ArmExpression) return `[${value.text}]`;
  if (typeof value === 'string') return value.startsWith('[') && value.endsWith(']') ? `[${value}` : value;
  if (Array.isArray(value)) return value.map((item: ArmValue) => toArmJson(item));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = toArmJson(inner as ArmValue);
    return out;
  }
  return value;
}

/** The template file's text: escaped, two-space indented, one trailing newline. */
export function armTemplateText(template: ArmValue): string {
  return `${JSON.stringify(toArmJson(template), null, 2)}\n`;
}

import roles from '../../schemas/entra-built-in-roles.json' with { type: 'json' };
import { closestMatch } from '../suggest.js';

export interface DirectoryRole {
  name: string;
  templateId: string;
  /** Microsoft labels the role privileged. */
  privileged: boolean;
}

/** Microsoft Entra's built-in roles (schemas/entra-built-in-roles.json says where from). */
export const BUILT_IN_ROLES: readonly DirectoryRole[] = roles.roles;

/** The built-in role with this name (any case), or undefined for a custom or misspelt one. */
export function builtInRole(name: string): DirectoryRole | undefined {
  const key = name.trim().toLowerCase();
  return BUILT_IN_ROLES.find((r) => r.name.toLowerCase() === key);
}

/**
 * The built-in role a person probably meant, for a did-you-mean: the one whose words the typed
 * words begin ("Priv Role Admin" is Privileged Role Administrator), else the nearest by spelling.
 */
export function closestRole(name: string): string | undefined {
  const words = name.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  const abbreviated = BUILT_IN_ROLES.filter((r) => {
    const full = r.name.toLowerCase().split(/\s+/);
    return full.length === words.length && words.every((w, i) => full[i]!.startsWith(w));
  });
  if (abbreviated.length === 1) return abbreviated[0]!.name;
  return closestMatch(name.trim(), BUILT_IN_ROLES.map((r) => r.name));
}

/// <reference types="@kusto/language-service-next" />
import { createRequire } from 'node:module';

/**
 * Microsoft's Kusto.Language, compiled to JavaScript with Bridge.NET. It defines the global
 * `Kusto` namespace when its two scripts are loaded, in this order; loading costs about half a
 * second, so it happens once, on first use.
 */
let loaded: typeof Kusto.Language | undefined;

export function kustoLanguage(): typeof Kusto.Language {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    require('@kusto/language-service-next/bridge.js');
    linearStringBuilderLength((globalThis as unknown as { System: { Text: { StringBuilder: { prototype: StringBuilderLike } } } }).System.Text.StringBuilder.prototype);
    require('@kusto/language-service-next/Kusto.Language.Bridge.js');
    loaded = (globalThis as unknown as { Kusto: typeof Kusto }).Kusto.Language;
  }
  return loaded;
}

export interface StringBuilderLike {
  buffer: unknown[];
  getLength(): number;
  /** Our running count of the parts' lengths (see below). */
  $breakglassLength?: { parts: unknown[]; count: number; length: number };
}

/**
 * Bridge.NET's StringBuilder (the runtime Kusto.Language is compiled against) answers `getLength()`
 * by joining all its parts into one string. Kusto.Language asks for the length after every token
 * when it turns a syntax node into text (SyntaxElement.ToString, which the binder calls for the
 * value of every literal `let`), so a `dynamic([...])` of n account ids costs O(n^2): 4,000
 * accounts took over a minute, 20,000 never finished, three quarters of the time in string joins.
 * This keeps a running sum of the parts' lengths instead, so the same length costs O(new parts).
 * Every other method of the builder replaces `buffer` with a new array when it changes anything
 * but the end, which resets the sum; `test/kusto-runtime.test.ts` checks the lengths against the
 * text for any sequence of the builder's operations. Results are unchanged: only the cost is.
 */
export function linearStringBuilderLength(prototype: StringBuilderLike): void {
  const joining = prototype.getLength;
  prototype.getLength = function (this: StringBuilderLike): number {
    const parts = this.buffer;
    if (parts.length < 2) return joining.call(this);
    let known = this.$breakglassLength;
    if (known === undefined || known.parts !== parts || known.count > parts.length) known = { parts, count: 0, length: 0 };
    // Array.prototype.join writes each part as String(part) (null and undefined as nothing).
    for (let i = known.count; i < parts.length; i++) known.length += parts[i] === null || parts[i] === undefined ? 0 : String(parts[i]).length;
    known.count = parts.length;
    this.$breakglassLength = known;
    return known.length;
  };
}

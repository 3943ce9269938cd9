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
    require('@kusto/language-service-next/Kusto.Language.Bridge.js');
    loaded = (globalThis as unknown as { Kusto: typeof Kusto }).Kusto.Language;
  }
  return loaded;
}

// Kusto.Language is loaded by the offline engine (with its linear StringBuilder length); the validator shares the one loaded copy.
export { kustoLanguage, linearStringBuilderLength, type StringBuilderLike } from '../evaluate/kusto-language.js';

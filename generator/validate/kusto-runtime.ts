// Kusto.Language is loaded by the offline engine; the validator shares the one loaded copy.
export { kustoLanguage } from '../evaluate/kusto-language.js';

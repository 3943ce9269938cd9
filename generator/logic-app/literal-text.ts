/**
 * Puts text from the manifest into a Logic App string value so that it is only ever text.
 * Logic Apps reads `@` specially (a leading `@` makes an expression, `@{` interpolates), so text
 * holding an `@` becomes one interpolated string literal: `@{'text'}`, with `'` doubled.
 */
export function logicAppText(text: string): string {
  if (!text.includes('@')) return text;
  return `@{'${text.replace(/'/g, "''")}'}`;
}

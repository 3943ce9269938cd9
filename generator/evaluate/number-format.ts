/**
 * A real as Kusto writes it in text (tostring, strcat): .NET's shortest round-trip form, which
 * switches to exponent notation from 1E+15 up and below 1E-05, with a signed two-digit exponent.
 */
export function formatReal(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15 || magnitude < 1e-5) {
    const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    return `${mantissa}E${sign}${exponent.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(value);
}

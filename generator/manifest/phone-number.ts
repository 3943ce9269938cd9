/**
 * Phone numbers as people write them, to the one form the manifest stores: the country calling
 * code and the national number, digits only (what Azure Monitor's SMS receivers and the playbook's
 * E.164 `+CCNNN` both need).
 */

/**
 * Country calling codes are a prefix code (ITU-T E.164): 1 and 7 are one digit; these are the
 * two-digit codes; every other code is three digits. So the split of a number written without a
 * separator after the code (+14255550100, +442079460958) needs no other table.
 */
const TWO_DIGIT_CODES = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49',
  '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86',
  '90', '91', '92', '93', '94', '95', '98',
]);

/** E.164: at most 15 digits in all, country code included. */
export const MAX_E164_DIGITS = 15;

export interface PhoneNumber {
  countryCode: string;
  phoneNumber: string;
}

/** The country calling code at the start of international digits (no + or 00). */
export function countryCodeOf(digits: string): string {
  if (digits.startsWith('1') || digits.startsWith('7')) return digits.slice(0, 1);
  return TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? digits.slice(0, 2) : digits.slice(0, 3);
}

/**
 * `+14255550100`, `+1 425 555 0100`, `+1-425-555-0100`, `+1 (425) 555-0100`, `+1.425.555.0100`,
 * `+44 (0)20 7946 0958`, `0044 20 7946 0958`: the international prefix (+ or 00), then digits with
 * spaces, hyphens, dots or brackets between them. A national "(0)" after the country code is
 * dropped, as it is never dialled from abroad. Returns a reason instead when it is not such a number.
 */
export function parsePhoneNumber(text: string): PhoneNumber | { problem: string } {
  const trimmed = text.trim();
  const international = /^(?:\+|00)\s*(.*)$/.exec(trimmed);
  if (!international) return { problem: 'start with + and the country code, e.g. +1 425 555 0100 or +44 20 7946 0958' };
  const rest = international[1]!;
  if (!/^[0-9][0-9\s().-]*$/.test(rest)) return { problem: 'only digits, spaces, hyphens, dots and brackets may follow the +' };
  const withoutTrunk = rest.replace(/^([0-9]{1,3})[\s.-]*\(0\)/, '$1');
  const digits = withoutTrunk.replace(/[^0-9]/g, '');
  if (digits.startsWith('0')) return { problem: 'a country code never starts with 0' };
  const countryCode = countryCodeOf(digits);
  const phoneNumber = digits.slice(countryCode.length);
  if (digits.length > MAX_E164_DIGITS) return { problem: `${digits.length} digits; an international number has at most ${MAX_E164_DIGITS}` };
  if (phoneNumber.length < 4) return { problem: 'the number after the country code is too short' };
  return { countryCode, phoneNumber };
}

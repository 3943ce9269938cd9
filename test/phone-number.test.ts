import { describe, expect, it } from 'vitest';
import { countryCodeOf, parsePhoneNumber } from '../generator/manifest/phone-number.js';

describe('phone numbers as people write them', () => {
  it.each([
    ['+14255550100', '1', '4255550100'],
    ['+1 425 555 0100', '1', '4255550100'],
    ['+1-425-555-0100', '1', '4255550100'],
    ['+1-4255550100', '1', '4255550100'],
    ['+1 (425) 555-0100', '1', '4255550100'],
    ['+1.425.555.0100', '1', '4255550100'],
    ['+442079460958', '44', '2079460958'],
    ['+44 20 7946 0958', '44', '2079460958'],
    ['+44 (0)20 7946 0958', '44', '2079460958'],
    ['0044 20 7946 0958', '44', '2079460958'],
    ['+49 30 901820', '49', '30901820'],
    ['+353 1 234 5678', '353', '12345678'],
    ['+7 495 123-45-67', '7', '4951234567'],
    ['+358401234567', '358', '401234567'],
    ['  +33 6 12 34 56 78 ', '33', '612345678'],
  ])('%s is stored as country code %s and number %s', (text, countryCode, phoneNumber) => {
    expect(parsePhoneNumber(text)).toEqual({ countryCode, phoneNumber });
  });

  it.each([
    ['4255550100', 'start with + and the country code'],
    ['+1 425 555 0100 ext 2', 'only digits, spaces, hyphens, dots and brackets'],
    ['+0 123 4567', 'a country code never starts with 0'],
    ['+1 234', 'too short'],
    ['+44 1234 5678 9012 3456', 'at most 15'],
  ])('%s is refused: %s', (text, problem) => {
    const parsed = parsePhoneNumber(text);
    expect('problem' in parsed && parsed.problem).toContain(problem);
  });

  it('splits the country code by the E.164 prefix code: 1 and 7, the two-digit codes, three digits otherwise', () => {
    expect(['1', '7', '20', '27', '44', '98', '212', '353', '880', '971'].map((cc) => countryCodeOf(`${cc}5550100`))).toEqual(['1', '7', '20', '27', '44', '98', '212', '353', '880', '971']);
  });
});

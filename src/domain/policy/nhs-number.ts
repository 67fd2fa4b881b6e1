/**
 * NHS numbers: ten digits, the last a modulus-11 check digit. Written together or spaced 3-3-4
 * (`943 476 5919`, also with hyphens). Ten digits that fail the check are not an NHS number.
 */

const NHS_NUMBER_SHAPE = /^(?:\d{10}|\d{3} \d{3} \d{4}|\d{3}-\d{3}-\d{4})$/;

export function isValidNhsNumber(text: string): boolean {
  const trimmed = text.trim();
  if (!NHS_NUMBER_SHAPE.test(trimmed)) return false;
  const digits = trimmed.replace(/\D/g, '');
  const check = nhsCheckDigit(digits.slice(0, 9));
  return check !== undefined && check === Number(digits[9]);
}

/** The check digit for the first nine digits, or undefined when no check digit can make them valid. */
export function nhsCheckDigit(nineDigits: string): number | undefined {
  if (!/^\d{9}$/.test(nineDigits)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

// Exact money for the tests (SPEC 3 and 7): amounts as BigInt nano-units (1e-9), read from
// the decimal text of the JSON numbers. The gateway renders an amount as the double whose
// shortest form is its exact decimal, and JavaScript's String(number) gives that form back.

import assert from 'node:assert/strict';

const kNanosPerUnit = 1_000_000_000n;
const kTokensPerPrice = 1_000_000n;

/**
 * Nano-units (BigInt) of an amount: a JSON number (read through its shortest decimal text)
 * or a decimal string. Throws on anything finer than a nano-unit.
 */
export function toNanos(amount) {
  const text = typeof amount === 'number' ? String(amount) : amount;
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  assert.ok(match, `not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const scale = 9 + Number(exponentText) - fraction.length;
  let digits = BigInt(whole + fraction);
  if (scale >= 0) {
    digits *= 10n ** BigInt(scale);
  } else {
    const divisor = 10n ** BigInt(-scale);
    assert.equal(digits % divisor, 0n, `${text} is finer than a nano-unit`);
    digits /= divisor;
  }
  return sign === '-' ? -digits : digits;
}

/** The decimal text of nano-units, for messages. */
export function decimal(nanos) {
  const negative = nanos < 0n;
  const magnitude = negative ? -nanos : nanos;
  let text = (magnitude / kNanosPerUnit).toString();
  const fraction = (magnitude % kNanosPerUnit).toString().padStart(9, '0').replace(/0+$/, '');
  if (fraction) text += `.${fraction}`;
  return negative ? `-${text}` : text;
}

/** SPEC 7: tokens × price / 1e6 for a model row {price_in, price_out}, in nano-units, half up. */
export function costNanos(tokensIn, tokensOut, model) {
  const numerator =
    BigInt(tokensIn) * toNanos(model.price_in) + BigInt(tokensOut) * toNanos(model.price_out);
  return (numerator + kTokensPerPrice / 2n) / kTokensPerPrice;
}

/** The sum of amounts (JSON numbers or decimal strings) in nano-units. */
export function sumNanos(amounts) {
  return amounts.reduce((sum, amount) => sum + toNanos(amount), 0n);
}

// Odd JSON values and the variants of a body with one field replaced or removed, for the
// tests that send bad input field by field (odd_values, odd_answers). Fixed values, no
// randomness: a failure always reproduces.

/** JSON texts, not values: some of them JSON.stringify cannot write. */
export const kOddValues = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '1.5',
  '-0.000000001',
  '1e308',
  '-1e308',
  '1e400',
  '9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '""',
  '" "',
  '"0"',
  '"-5"',
  '"1e400"',
  '"true"',
  JSON.stringify('x'.repeat(20_000)),
  '"\\u0000"',
  '"\\ud800"',
  '"😀 ünïcödé"',
  '"<script>alert(1)</script>"',
  '[]',
  '[null]',
  '[1, "a", {}]',
  '{}',
  '{"a": 1}',
  `${'['.repeat(200)}${']'.repeat(200)}`,
  `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`,
];

/** Where `{{VALUE}}` stands in a JSON text: the text with the raw value put there. */
export function withValue(template, raw) {
  return template.replace('"{{VALUE}}"', raw);
}

/**
 * Every variant of `body` with one field (a path of object keys and array indexes) replaced
 * by a placeholder or removed: [label, JSON text with "{{VALUE}}" or without the field].
 */
export function variants(body) {
  const out = [];
  const visit = (node, path) => {
    const entries = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, child] of entries) {
      const childPath = [...path, key];
      out.push([childPath.join('.'), JSON.stringify(replaced(body, childPath, '{{VALUE}}'))]);
      if (!Array.isArray(node)) out.push([`${childPath.join('.')} removed`, JSON.stringify(replaced(body, childPath, undefined))]);
      if (child !== null && typeof child === 'object') visit(child, childPath);
    }
  };
  visit(body, []);
  return out;
}

function replaced(value, path, replacement) {
  if (path.length === 0) return replacement;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  const [head, ...rest] = path;
  const inner = replaced(value[head], rest, replacement);
  if (inner === undefined && !Array.isArray(copy)) delete copy[head];
  else copy[head] = inner;
  return copy;
}

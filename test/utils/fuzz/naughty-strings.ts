/**
 * A selection from the Big List of Naughty Strings (github.com/minimaxir/big-list-of-naughty-strings), one or
 * two of each of its kinds, plus the shapes that broke this API before (a lone surrogate).
 */
export const NAUGHTY_STRINGS: readonly string[] = [
  // reserved words and numbers as text
  '',
  ' ',
  '\t\r\n',
  'undefined',
  'null',
  'NaN',
  'Infinity',
  'true',
  '0',
  '-0',
  '-1',
  '1e309',
  '0x1F',
  '999999999999999999999999999999',
  '1/0',
  // special characters and control characters
  ',./;\'[]\\-=<>?:"{}|_+!@#$%^&*()`~',
  '\u0000',
  '\u0001\u0002\u001b[0m',
  '\u007f\u0080\u009f',
  '\u00a0\u2028\u2029',
  '\u200b\u200e\u200f\ufeff',
  '\ufffe\uffff',
  // Unicode: other scripts, emoji, combining marks, right-to-left, mathematical letters
  'Ω≈ç√∫˜µ≤≥÷',
  '田中さんにあげて下さい',
  '사회과학원 어학연구소',
  '😀👍🏽👨‍👩‍👧‍👦🇨🇳',
  'مرحبا بالعالم',
  'Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎',
  '𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤',
  // not Unicode text: lone surrogates
  '\ud800',
  'a\udfffb',
  // injections and traversal
  "' OR '1'='1' --",
  '1; DROP TABLE documents; --',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '%s%s%s%n%x',
  '%00%2e%2e%2f',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  'javascript:alert(1)',
  '$(reboot)`id`',
  // keys JavaScript objects treat specially
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  // long
  'A'.repeat(10_000),
];

// Prints the common-password list of @zxcvbn-ts/language-common (MIT licence: passwords seen most
// often in public breach corpora), one lower-cased password a line, for sql/load/run.sh.
import { dictionary } from '@zxcvbn-ts/language-common';

const seen = new Set();
for (const p of dictionary['passwords-common']) {
  const lower = String(p).toLowerCase();
  // COPY's text format: no tab, newline or backslash may appear unescaped.
  if (lower === '' || /[\t\n\r\\]/.test(lower) || seen.has(lower)) continue;
  seen.add(lower);
  process.stdout.write(lower + '\n');
}

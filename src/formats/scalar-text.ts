/**
 * How a typed scalar reads as plain text: in a .env file, an environment variable, or the
 * output of `get`. Strings are verbatim; numbers keep their digits without exponents;
 * booleans are `true`/`false`; timestamps are RFC 3339. (sops's exec-env uses Go's `%G`
 * here, which turns 1e6 into `1E+06`; envseal writes `1000000.0`.)
 */
import { formatGoFloat } from './go-scalars.js';
import type { Scalar } from '../tree.js';

export function scalarToText(scalar: Scalar): string {
  switch (scalar.kind) {
    case 'str':
      return scalar.value;
    case 'int':
      return scalar.value.toString();
    case 'float': {
      const text = formatGoFloat(scalar.value);
      return /^-?\d+$/.test(text) ? `${text}.0` : text;
    }
    case 'bool':
      return scalar.value ? 'true' : 'false';
    case 'time':
      return scalar.value;
    case 'bytes':
      return Buffer.from(scalar.value).toString('utf8');
  }
}

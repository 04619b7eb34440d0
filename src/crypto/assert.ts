/**
 * Named assertions at the crypto boundary, in @noble's manner: a wrong kind of argument is a
 * TypeError, a wrong size a RangeError, each naming the argument. They guard against
 * programmer errors; input from files is checked before it gets here and reported as a typed
 * EnvsealError, so one of these reaching the user is a bug (exit 1, "please report").
 */

/** `value` is a Uint8Array, of exactly `length` bytes when given, or at least `min` bytes. */
export function abytes(value: unknown, title: string, size: { length?: number; min?: number } = {}): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${title}" expected Uint8Array, got ${typeof value}`);
  if (size.length !== undefined && value.length !== size.length) {
    throw new RangeError(`"${title}" expected ${size.length} bytes, got ${value.length}`);
  }
  if (size.min !== undefined && value.length < size.min) throw new RangeError(`"${title}" expected at least ${size.min} bytes, got ${value.length}`);
}

/** `value` is an integer in [min, max]. */
export function aint(value: number, title: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`"${title}" expected an integer from ${min} to ${max}, got ${value}`);
}

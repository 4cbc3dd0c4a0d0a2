// Long lists written as several statements, each under both engines' limits
// on parameters (SQLite's is 32,766): the import and the use recorder.

/** Consecutive groups of `size` items; built as they are consumed, so only one group is in memory at a time. */
export function* chunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

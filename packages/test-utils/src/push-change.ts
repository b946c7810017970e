/** Appends `value` to `list` unless it equals the last element (records the changes of a value). */
export function pushChange<T>(list: T[], value: T): void {
  if (list.length === 0 || !Object.is(list.at(-1), value)) list.push(value);
}

/**
 * A record with its keys in sorted order, for output that is the same byte for byte whatever order
 * the input came in. The record itself when its keys are sorted already (no copy).
 */
export function sortedRecord<T>(record: Readonly<Record<string, T>> | undefined): Record<string, T> {
  if (!record) return {};
  let previous: string | undefined;
  let sorted = true;
  for (const k in record) {
    if (previous !== undefined && previous > k) {
      sorted = false;
      break;
    }
    previous = k;
  }
  if (sorted) return record as Record<string, T>;
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k];
  return out;
}

/**
 * A small YAML emitter for plain data (mappings, lists, strings, numbers, booleans, null), used
 * for the many generated manifests: a general stringifier spends most of its time on features
 * these documents never need. Strings are written plain only when YAML 1.2 and 1.1 readers both
 * read them back as the same string; otherwise double-quoted (JSON escapes are valid YAML), or as
 * a literal block when they span lines. Tests parse every generated file back.
 */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*(?:[ ][A-Za-z0-9_./()-]+)*$/;
const AMBIGUOUS = /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\.inf|\.nan)|[-+]?[0-9][0-9_.:eE+-]*)$/i;

function scalar(value: string): string {
  return PLAIN.test(value) && !AMBIGUOUS.test(value) ? value : JSON.stringify(value);
}

function block(value: string, indent: string): string | undefined {
  // A literal block keeps multi-line text readable; only for text a block can carry exactly.
  if (!value.includes('\n') || /[^\n\x20-\x7e]/.test(value) || value.startsWith(' ') || / \n/.test(value) || value.startsWith('\n')) return undefined;
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  const chomp = value.endsWith('\n') ? (value.endsWith('\n\n') ? '+' : '') : '-';
  if (chomp === '+') return undefined;
  return `|${chomp}\n${body.split('\n').map((l) => (l === '' ? '' : `${indent}${l}`)).join('\n')}`;
}

function emit(value: unknown, indent: string, out: string[], prefix: string): void {
  if (value === null || value === undefined) {
    out.push(`${prefix}null`);
  } else if (typeof value === 'string') {
    const b = block(value, indent);
    out.push(`${prefix}${b ?? scalar(value)}`);
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    out.push(`${prefix}${String(value)}`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${prefix}[]`);
      return;
    }
    if (prefix) out.push(prefix.trimEnd());
    for (const item of value) {
      if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
        emitMap(item as Record<string, unknown>, `${indent}  `, out, `${indent}- `);
      } else emit(item, `${indent}  `, out, `${indent}- `);
    }
  } else {
    const map = value as Record<string, unknown>;
    if (Object.keys(map).length === 0) {
      out.push(`${prefix}{}`);
      return;
    }
    if (prefix) out.push(prefix.trimEnd());
    emitMap(map, indent, out, indent);
  }
}

function emitMap(map: Record<string, unknown>, indent: string, out: string[], firstPrefix: string): void {
  let first = true;
  for (const [k, v] of Object.entries(map)) {
    if (v === undefined) continue;
    const lead = first ? firstPrefix : indent;
    first = false;
    const key = `${lead}${scalar(k)}:`;
    const nested = v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
    if (nested) emit(v, Array.isArray(v) ? indent : `${indent}  `, out, `${key} `);
    else emit(v, `${indent}  `, out, `${key} `);
  }
}

/** One YAML document for a plain value, ending with a newline. */
export function toYamlDocument(value: unknown): string {
  const out: string[] = [];
  emit(value, '', out, '');
  return `${out.join('\n')}\n`;
}

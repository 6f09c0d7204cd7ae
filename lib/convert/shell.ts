/**
 * Just enough of a POSIX shell to read binding scripts without running them: words (quotes,
 * escapes, line continuations, comments), literal assignments of scalars and arrays, `$VAR`,
 * `${VAR}`, `${ARR[@]}` and positional `$1`..`$9`, brace expansion (`{a,b}`, `{1..3}`), `for` loops
 * over literal words, functions (`name () { ... }`, `function name { ... }`) called with
 * arguments, and `return`. Conditions are not evaluated: `if ...; then ...; fi` bodies are read as
 * if taken, except a `return` inside them, which the reader cannot decide and skips. Anything
 * else (other commands, heredocs) is passed over. What a variable holds that the script does not
 * assign is left as `${NAME}` and reported by the caller, never guessed.
 */

/** A word after expansion: its text and the names of the variables it could not resolve. */
export interface Word {
  readonly text: string;
  readonly unresolved: readonly string[];
}

/** A command the script would run, with its expanded words and its line. */
export interface Command {
  readonly words: readonly Word[];
  readonly line: number;
}

/** Something the script does that its reader should know, at a line. */
export interface ShellNote {
  readonly line: number;
  readonly message: string;
}

interface Token {
  readonly raw: string;
  readonly line: number;
}

/** Splits a script into logical lines of raw words (quotes kept, for expansion later). */
function tokenize(text: string): Token[][] {
  const lines: Token[][] = [];
  let current: Token[] = [];
  let word = '';
  let wordLine = 1;
  let line = 1;
  let quote: '"' | "'" | undefined;
  let heredoc: string | undefined;
  let pendingHeredoc: string | undefined;
  const flushWord = () => {
    if (word !== '') current.push({ raw: word, line: wordLine });
    word = '';
  };
  const flushLine = () => {
    flushWord();
    if (current.length > 0) lines.push(current);
    current = [];
  };
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (heredoc !== undefined) {
      // Skip to the terminator line.
      const end = text.indexOf('\n', i);
      const l = text.slice(i, end < 0 ? text.length : end);
      if (l.trim() === heredoc) heredoc = undefined;
      line++;
      i = end < 0 ? chars.length : end;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < chars.length) {
        word += c + chars[++i];
        continue;
      }
      if (c === '\n') line++;
      word += c;
      continue;
    }
    if (c === '\\' && chars[i + 1] === '\n') {
      i++;
      line++;
      continue;
    }
    if (c === '\\' && i + 1 < chars.length) {
      word += c + chars[++i];
      continue;
    }
    if (c === '"' || c === "'") {
      if (word === '') wordLine = line;
      quote = c;
      word += c;
      continue;
    }
    if (c === '#' && word === '') {
      while (i + 1 < chars.length && chars[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '\n') {
      flushLine();
      line++;
      if (pendingHeredoc !== undefined) {
        heredoc = pendingHeredoc;
        pendingHeredoc = undefined;
      }
      continue;
    }
    if (c === ';' || c === '&' || c === '|') {
      flushWord();
      if (c === ';' || (c === '&' && chars[i + 1] === '&') || (c === '|' && chars[i + 1] === '|')) {
        if (c !== ';') i++;
        flushLine();
      }
      continue;
    }
    if (c === '<' && chars[i + 1] === '<') {
      // A heredoc: its body is not commands.
      flushWord();
      let j = i + 2;
      if (chars[j] === '-') j++;
      let term = '';
      while (j < chars.length && /\s/.test(chars[j]) && chars[j] !== '\n') j++;
      while (j < chars.length && !/\s/.test(chars[j])) term += chars[j++];
      pendingHeredoc = term.replace(/['"]/g, '');
      i = j - 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      flushWord();
      continue;
    }
    if (word === '') wordLine = line;
    word += c;
  }
  flushLine();
  return lines;
}

type Value = string | string[];

interface Scope {
  readonly vars: Map<string, Value>;
  readonly positional: readonly Word[];
}

/** Expands one raw word: quotes removed, variables substituted, then braces (unquoted words). */
function expand(raw: string, scope: Scope): Word[] {
  const unresolved: string[] = [];
  let arrayItems: string[] | undefined;
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      out += raw.slice(i + 1, end < 0 ? raw.length : end);
      quoted = true;
      i = end < 0 ? raw.length : end;
      continue;
    }
    if (c === '"') {
      quoted = true;
      continue;
    }
    if (c === '\\' && i + 1 < raw.length) {
      out += raw[++i];
      continue;
    }
    if (c === '$') {
      let name = '';
      let index: string | undefined;
      if (raw[i + 1] === '{') {
        const end = raw.indexOf('}', i);
        const inner = raw.slice(i + 2, end < 0 ? raw.length : end);
        i = end < 0 ? raw.length : end;
        const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+)(?:\[(@|\*|[0-9]+)\])?$/.exec(inner);
        if (!m) {
          unresolved.push(inner);
          out += `\${${inner}}`;
          continue;
        }
        name = m[1];
        index = m[2];
      } else {
        const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@])/.exec(raw.slice(i + 1));
        if (!m) {
          out += c;
          continue;
        }
        name = m[1];
        i += name.length;
      }
      if (name === '@') {
        arrayItems = scope.positional.map((w) => w.text);
        continue;
      }
      if (/^[0-9]+$/.test(name)) {
        const w = scope.positional[Number(name) - 1];
        if (w) {
          out += w.text;
          unresolved.push(...w.unresolved);
        } else out += '';
        continue;
      }
      const v = scope.vars.get(name);
      if (v === undefined) {
        unresolved.push(name);
        out += `\${${name}}`;
      } else if (Array.isArray(v)) {
        if (index === '@' || index === '*') arrayItems = v;
        else out += v[Number(index ?? 0)] ?? '';
      } else out += v;
      continue;
    }
    out += c;
  }
  if (arrayItems !== undefined && out === '') return arrayItems.map((t) => ({ text: t, unresolved: [] }));
  const words = quoted ? [out] : braces(out);
  return words.map((text) => ({ text, unresolved }));
}

/** Brace expansion of an unquoted word: `{a,b}` and `{1..3}`, left to right. */
export function braces(word: string): string[] {
  const m = /\{([^{}]*)\}/.exec(word);
  if (!m) return [word];
  const inner = m[1];
  let items: string[] | undefined;
  const range = /^(-?[0-9]+)\.\.(-?[0-9]+)$/.exec(inner);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    items = [];
    for (let n = a; a <= b ? n <= b : n >= b; n += a <= b ? 1 : -1) items.push(String(n));
  } else if (inner.includes(',')) items = inner.split(',');
  if (!items) return [word];
  const head = word.slice(0, m.index);
  const tail = word.slice(m.index + m[0].length);
  return items.flatMap((x) => braces(`${head}${x}${tail}`));
}

interface FunctionDef {
  readonly body: Token[][];
}

/**
 * The commands a script would run, in order, with their words expanded; functions are followed
 * into (to a depth of 16).
 */
export function commandsOf(text: string, notes: ShellNote[] = []): Command[] {
  const lines = tokenize(text);
  const functions = new Map<string, FunctionDef>();
  const out: Command[] = [];
  const globals = new Map<string, Value>();

  /** Finds the index of the line closing a block opened at `start` (`{`...`}`, `do`...`done`, `then`/`if`...`fi`). */
  const blockEnd = (body: Token[][], start: number, open: string[], close: string): number => {
    let depth = 0;
    for (let j = start; j < body.length; j++) {
      const first = body[j][0]?.raw;
      const words = body[j].map((t) => t.raw);
      for (const w of words) {
        if (open.includes(w)) depth++;
        if (w === close) depth--;
      }
      if (depth <= 0 && j > start) return j;
      if (depth <= 0 && j === start && first === close) return j;
    }
    return body.length - 1;
  };

  const execute = (body: Token[][], scope: Scope, depth: number): 'return' | undefined => {
    for (let j = 0; j < body.length; j++) {
      let words = body[j];
      // Keywords that open a body may share its first command's line (`then cmd`, `do cmd`).
      while (['then', 'else', 'do'].includes(words[0]?.raw ?? '')) words = words.slice(1);
      if (words.length === 0) continue;
      const first = words[0]?.raw;
      // function name () {   |   function name {   |   name() {
      const fn = /^([A-Za-z_][A-Za-z0-9_-]*)\(\)$/.exec(first ?? '');
      if (first === 'function' || fn || (words[1]?.raw === '()' && /^[A-Za-z_]/.test(first ?? ''))) {
        const name = first === 'function' ? words[1]?.raw.replace(/\(\)$/, '') : fn ? fn[1] : first!;
        const end = blockEnd(body, j, ['{'], '}');
        // Commands may follow the `{` on its line (`f() { cmd; }`).
        const brace = words.findIndex((t) => t.raw === '{');
        const opening = brace >= 0 ? words.slice(brace + 1) : [];
        functions.set(name, { body: [...(opening.length > 0 ? [opening] : []), ...body.slice(j + 1, end)] });
        j = end;
        continue;
      }
      // NAME=value   |   NAME=( a b c )   (possibly over several lines)
      const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(first ?? '');
      if (assign && words.length >= 1) {
        const [, name, value] = assign;
        const target = scope === globalScope ? globals : scope.vars;
        if (value.startsWith('(')) {
          const items: string[] = [];
          let rest = [value.slice(1), ...words.slice(1).map((t) => t.raw)];
          let k = j;
          for (;;) {
            let closed = false;
            for (const r of rest) {
              const w = r.endsWith(')') ? r.slice(0, -1) : r;
              if (r.endsWith(')')) closed = true;
              if (w !== '') items.push(...expand(w, scope).map((x) => x.text));
              if (closed) break;
            }
            if (closed || k + 1 >= body.length) break;
            k++;
            rest = body[k].map((t) => t.raw);
          }
          target.set(name, items);
          j = k;
        } else {
          const expanded = expand(value, scope);
          target.set(name, expanded.length === 1 ? expanded[0].text : expanded.map((x) => x.text));
          // A variable that names unresolved ones stays unresolved itself.
          if (expanded.some((x) => x.unresolved.length > 0)) target.delete(name);
        }
        continue;
      }
      if (first === 'for' && words[2]?.raw === 'in') {
        const variable = words[1].raw;
        const items = words.slice(3).filter((t) => t.raw !== 'do').flatMap((t) => expand(t.raw, scope));
        const end = blockEnd(body, j, ['do'], 'done');
        const loopBody = body.slice(j + 1, end);
        for (const item of items) {
          scope.vars.set(variable, item.text);
          if (execute(loopBody, scope, depth) === 'return') return 'return';
        }
        j = end;
        continue;
      }
      if (first === 'if' || first === 'elif' || first === 'else' || first === 'then' || first === 'fi' || first === 'done' || first === '}' || first === '{') continue;
      if (first === 'return' || first === 'exit') {
        return 'return';
      }
      const expanded = words.flatMap((t) => expand(t.raw, scope));
      const name = expanded[0]?.text;
      const def = name ? functions.get(name) : undefined;
      if (def && depth < 16) {
        const callScope: Scope = { vars: new Map(scope.vars), positional: expanded.slice(1) };
        // Arguments the function never reads: what the caller passes and the shell drops.
        const raw = def.body.flat().map((t) => t.raw).join(' ');
        if (!/\$\{?[@*#]/.test(raw)) {
          const read = Math.max(0, ...[...raw.matchAll(/\$\{?([1-9])\b/g)].map((x) => Number(x[1])));
          const args = expanded.slice(1);
          if (args.length > read) {
            notes.push({
              line: words[0].line,
              message: `${name} is called with ${args.length} arguments and reads only ${read === 0 ? 'none' : `$1..$${read}`}: ${args.slice(read).map((a) => a.text).join(', ')} ${args.length - read === 1 ? 'is' : 'are'} not used, as the shell runs it`,
            });
          }
        }
        // Function bodies see and set the script's variables, as in the shell.
        for (const [k, v] of globals) if (!callScope.vars.has(k)) callScope.vars.set(k, v);
        executeFunction(def, callScope, depth + 1);
        continue;
      }
      if (expanded.length > 0) out.push({ words: expanded, line: words[0].line });
    }
    return undefined;
  };

  const executeFunction = (def: FunctionDef, scope: Scope, depth: number): void => {
    // A return inside an if (the reader cannot decide the condition) does not end the function.
    const body: Token[][] = [];
    let inIf = 0;
    for (const l of def.body) {
      const words = l.map((t) => t.raw);
      if (words[0] === 'if') inIf++;
      if (inIf > 0 && (words.includes('return') || words.includes('exit'))) {
        if (words.includes('fi')) inIf--;
        continue;
      }
      if (words.includes('fi')) inIf = Math.max(0, inIf - 1);
      body.push(l);
    }
    execute(body, scope, depth);
  };

  const globalScope: Scope = { vars: globals, positional: [] };
  execute(lines, globalScope, 0);
  return out;
}

/** The shell code of a Markdown file: its fenced code blocks, `$ ` prompts removed, lines kept. */
export function shellOfMarkdown(text: string): string {
  const out: string[] = [];
  let inside = false;
  for (const l of text.split('\n')) {
    if (/^\s*```/.test(l)) {
      inside = !inside;
      out.push('');
      continue;
    }
    out.push(inside ? l.replace(/^\s*\$ /, '') : '');
  }
  return out.join('\n');
}

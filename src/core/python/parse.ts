import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { NONE, bool, bytes, float, int, str } from '../select-loop/py-value.ts';
import type { Arg, BinOp, CmpOp, CompClause, Expr, FPart, FunctionCode, Handler, Module, Param, Pos, SourceProblem, Stmt } from './ast.ts';

/** What the interpreter runs, named in every "not supported" message. */
export const SUPPORTED =
  'Supported: import, from … import, assignment (also to tuples, attributes, subscripts; +=, -=, …), if/elif/else, while, for, break, continue, pass, return, def (defaults, keyword arguments), async def with await and async with, class, try/except/else/finally, raise, with … as, global, del, assert, lambda, f-strings, comprehensions and generator expressions, slices, and the operators on int, str, bytes, list, tuple, dict and set.';

class Problem extends Error {
  readonly problem: SourceProblem;
  constructor(problem: SourceProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

export type Parsed = { readonly ok: true; readonly module: Module } | { readonly ok: false; readonly problem: SourceProblem };

const PUNCT = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '.', ';', 'Comment']);

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

function meaningful(n: SyntaxNode): SyntaxNode[] {
  return children(n).filter((c) => !PUNCT.has(c.name));
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };

/** Python's backslash escapes; \u and \U only in str literals. */
function unescape(body: string, isBytes: boolean): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const e = body[i + 1] as string;
    if (e === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (!isBytes && (e === 'u' || e === 'U')) {
      const n = e === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 2 + n), 16));
      i += 1 + n;
    } else if (ESCAPES[e] !== undefined) {
      out += ESCAPES[e];
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

function splitLiteral(text: string): { prefix: string; quote: string; body: string } {
  const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(text);
  const prefix = (m?.[1] ?? '').toLowerCase();
  const quote = m?.[2] ?? '"';
  return { prefix, quote, body: text.slice(prefix.length + quote.length, text.length - quote.length) };
}

class Converter {
  private readonly src: string;
  private readonly lineStarts: number[] = [0];

  constructor(src: string) {
    this.src = src;
    for (let i = 0; i < src.length; i++) if (src[i] === '\n') this.lineStarts.push(i + 1);
  }

  pos(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (this.lineStarts[lo] as number) + 1 };
  }

  text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  unsupported(n: SyntaxNode, what: string): Problem {
    const p = this.pos(n.from);
    return new Problem({ kind: 'unsupported', ...p, message: `${what} is not supported here. ${SUPPORTED}` });
  }

  body(n: SyntaxNode): Stmt[] {
    return children(n).flatMap((c) => (c.name === ':' || c.name === 'Comment' ? [] : this.stmt(c)));
  }

  stmts(nodes: readonly SyntaxNode[]): Stmt[] {
    return nodes.flatMap((c) => this.stmt(c));
  }

  stmt(n: SyntaxNode): Stmt[] {
    const p = this.pos(n.from);
    const k = meaningful(n);
    switch (n.name) {
      case 'Comment':
      case 'Decorator':
        return [];
      case 'ExpressionStatement':
        return [{ ...p, k: 'expr', e: this.expr(k[0] as SyntaxNode) }];
      case 'AssignStatement': {
        const walrus = children(n).find((c) => c.name === 'AssignOp' && this.text(c) === ':=');
        if (walrus !== undefined) throw this.unsupported(walrus, 'The := operator');
        const parts = this.splitOn(n, 'AssignOp');
        if (children(n).some((c) => c.name === 'TypeDef')) throw this.unsupported(n, 'An annotated assignment');
        const value = this.exprList(parts[parts.length - 1] as SyntaxNode[], n);
        const targets = parts.slice(0, -1).map((t) => this.target(this.exprList(t, n)));
        return [{ ...p, k: 'assign', targets, value }];
      }
      case 'UpdateStatement': {
        const [t, op, v] = children(n);
        const opText = this.text(op as SyntaxNode).slice(0, -1) as BinOp;
        return [{ ...p, k: 'aug', target: this.target(this.expr(t as SyntaxNode)), op: opText, value: this.expr(v as SyntaxNode) }];
      }
      case 'PassStatement':
        return [{ ...p, k: 'pass' }];
      case 'BreakStatement':
        if (this.loops === 0) throw new Problem({ kind: 'syntax', ...p, message: "'break' outside loop" });
        return [{ ...p, k: 'break' }];
      case 'ContinueStatement':
        if (this.loops === 0) throw new Problem({ kind: 'syntax', ...p, message: "'continue' not properly in loop" });
        return [{ ...p, k: 'continue' }];
      case 'ReturnStatement': {
        if (this.depth === 0) throw new Problem({ kind: 'syntax', ...p, message: "'return' outside function" });
        const rest = k.slice(1);
        return [{ ...p, k: 'return', value: rest.length === 0 ? undefined : this.exprList(rest, n) }];
      }
      case 'RaiseStatement': {
        const fromAt = k.findIndex((c) => c.name === 'from');
        const exc = k[1] !== undefined && k[1].name !== 'from' ? this.expr(k[1]) : undefined;
        const cause = fromAt < 0 ? undefined : this.expr(k[fromAt + 1] as SyntaxNode);
        return [{ ...p, k: 'raise', exc, cause }];
      }
      case 'ImportStatement':
        return [this.importStmt(n, p)];
      case 'IfStatement':
        return [this.ifStmt(children(n), p)];
      case 'WhileStatement': {
        const [, test, body, , orelse] = k;
        return [{ ...p, k: 'while', test: this.expr(test as SyntaxNode), body: this.loopBody(body as SyntaxNode), orelse: orelse === undefined ? [] : this.body(orelse) }];
      }
      case 'ForStatement': {
        if (k[0]?.name === 'async') throw this.unsupported(n, 'async for');
        const inAt = k.findIndex((c) => c.name === 'in');
        const bodyAt = k.findIndex((c) => c.name === 'Body');
        const target = this.target(this.exprList(k.slice(1, inAt), n));
        const iter = this.exprList(k.slice(inAt + 1, bodyAt), n);
        const orelse = k[bodyAt + 2];
        return [{ ...p, k: 'for', target, iter, body: this.loopBody(k[bodyAt] as SyntaxNode), orelse: orelse === undefined ? [] : this.body(orelse) }];
      }
      case 'WithStatement': {
        const isAsync = k[0]?.name === 'async';
        if (isAsync && !this.inAsync) throw new Problem({ kind: 'syntax', ...p, message: "'async with' outside async function" });
        const bodyAt = k.findIndex((c) => c.name === 'Body');
        const items = k.slice(isAsync ? 2 : 1, bodyAt);
        if (children(n).filter((c) => c.name === ',').length > 0) throw this.unsupported(n, 'A with statement with several context managers');
        const asAt = items.findIndex((c) => c.name === 'as');
        const ctx = this.expr(items[0] as SyntaxNode);
        const as = asAt < 0 ? undefined : this.target(this.expr(items[asAt + 1] as SyntaxNode));
        return [{ ...p, k: 'with', ctx, as, body: this.body(k[bodyAt] as SyntaxNode), ...(isAsync ? { async: true } : {}) }];
      }
      case 'TryStatement':
        return [this.tryStmt(k, p)];
      case 'FunctionDefinition':
        return [{ ...p, k: 'def', fn: this.functionCode(n) }];
      case 'ClassDefinition': {
        const name = this.text(k[1] as SyntaxNode);
        const args = k.find((c) => c.name === 'ArgList');
        const bases = args === undefined ? [] : meaningful(args).map((a) => this.expr(a));
        return [{ ...p, k: 'class', name, bases, body: this.body(k.find((c) => c.name === 'Body') as SyntaxNode) }];
      }
      case 'DecoratedStatement':
        throw this.unsupported(n, 'A decorator');
      case 'ScopeStatement':
        if (k[0]?.name !== 'global') throw this.unsupported(n, 'nonlocal');
        return [{ ...p, k: 'global', names: k.slice(1).map((c) => this.text(c)) }];
      case 'DeleteStatement':
        return [{ ...p, k: 'del', targets: k.slice(1).map((c) => this.target(this.expr(c))) }];
      case 'AssertStatement':
        return [{ ...p, k: 'assert', test: this.expr(k[1] as SyntaxNode), msg: k[2] === undefined ? undefined : this.expr(k[2]) }];
      case 'StatementGroup':
        return this.stmts(children(n).filter((c) => c.name !== ';'));
      default:
        throw this.unsupported(n, this.describe(n));
    }
  }

  describe(n: SyntaxNode): string {
    const word = this.text(n).split(/\s/)[0] ?? n.name;
    return /^[a-z]+$/.test(word) ? `The '${word}' statement` : `${n.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
  }

  /** The children of a node split at each child named `sep`, punctuation dropped. */
  splitOn(n: SyntaxNode, sep: string): SyntaxNode[][] {
    const out: SyntaxNode[][] = [[]];
    for (const c of children(n)) {
      if (c.name === sep) out.push([]);
      else (out[out.length - 1] as SyntaxNode[]).push(c);
    }
    return out;
  }

  /** `a, b` without brackets is a tuple. */
  exprList(nodes: readonly SyntaxNode[], parent: SyntaxNode): Expr {
    const items = nodes.filter((c) => !PUNCT.has(c.name) || c.name === ',');
    const exprs = items.filter((c) => c.name !== ',');
    if (exprs.length === 1 && !items.some((c) => c.name === ',')) return this.expr(exprs[0] as SyntaxNode);
    const first = exprs[0] ?? parent;
    return { ...this.pos(first.from), k: 'tuple', items: exprs.map((e) => this.expr(e)) };
  }

  target(e: Expr): Expr {
    if (e.k === 'name' || e.k === 'attr' || e.k === 'index' || e.k === 'slice') return e;
    if (e.k === 'tuple' || e.k === 'list') return { ...e, items: e.items.map((i) => this.target(i)) };
    throw new Problem({ kind: 'syntax', line: e.line, col: e.col, message: 'cannot assign to expression' });
  }

  importStmt(n: SyntaxNode, p: Pos): Stmt {
    const k = meaningful(n);
    if (k[0]?.name === 'from') {
      const importAt = k.findIndex((c) => c.name === 'import');
      const module = k
        .slice(1, importAt)
        .map((c) => this.text(c))
        .join('.');
      const names: { name: string; as: string }[] = [];
      const rest = k.slice(importAt + 1);
      for (let i = 0; i < rest.length; i++) {
        const c = rest[i] as SyntaxNode;
        if (c.name === '*') throw this.unsupported(c, 'from … import *');
        const name = this.text(c);
        if (rest[i + 1]?.name === 'as') {
          names.push({ name, as: this.text(rest[i + 2] as SyntaxNode) });
          i += 2;
        } else names.push({ name, as: name });
      }
      return { ...p, k: 'from', module, names };
    }
    const names: { module: string; as: string }[] = [];
    let dotted: string[] = [];
    const kids = children(n).slice(1);
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i] as SyntaxNode;
      if (c.name === 'VariableName') dotted.push(this.text(c));
      else if (c.name === 'as') {
        names.push({ module: dotted.join('.'), as: this.text(kids[i + 1] as SyntaxNode) });
        dotted = [];
        i++;
      } else if (c.name === ',' && dotted.length > 0) {
        names.push({ module: dotted.join('.'), as: dotted[0] as string });
        dotted = [];
      }
    }
    if (dotted.length > 0) names.push({ module: dotted.join('.'), as: dotted[0] as string });
    return { ...p, k: 'import', names };
  }

  ifStmt(kids: readonly SyntaxNode[], p: Pos): Stmt {
    // kids: if test Body (elif test Body)* (else Body)?
    const test = this.expr(kids[1] as SyntaxNode);
    const body = this.body(kids[2] as SyntaxNode);
    const rest = kids.slice(3);
    let orelse: Stmt[] = [];
    if (rest[0]?.name === 'elif') orelse = [this.ifStmt(rest, this.pos(rest[0].from))];
    else if (rest[0]?.name === 'else') orelse = this.body(rest[1] as SyntaxNode);
    return { ...p, k: 'if', test, body, orelse };
  }

  tryStmt(k: readonly SyntaxNode[], p: Pos): Stmt {
    const body = this.body(k[1] as SyntaxNode);
    const handlers: Handler[] = [];
    let orelse: Stmt[] = [];
    let finalbody: Stmt[] = [];
    for (let i = 2; i < k.length; i++) {
      const c = k[i] as SyntaxNode;
      if (c.name === 'except') {
        const hp = this.pos(c.from);
        let j = i + 1;
        let type: Expr | undefined;
        let name: string | undefined;
        if (k[j]?.name === '*') throw this.unsupported(c, 'except*');
        if (k[j]?.name !== 'Body') type = this.expr(k[j++] as SyntaxNode);
        if (k[j]?.name === 'as') {
          name = this.text(k[j + 1] as SyntaxNode);
          j += 2;
        }
        handlers.push({ ...hp, type, name, body: this.body(k[j] as SyntaxNode) });
        i = j;
      } else if (c.name === 'else') {
        orelse = this.body(k[++i] as SyntaxNode);
      } else if (c.name === 'finally') {
        finalbody = this.body(k[++i] as SyntaxNode);
      }
    }
    return { ...p, k: 'try', body, handlers, orelse, finalbody };
  }

  params(list: SyntaxNode | undefined): Param[] {
    if (list === undefined) return [];
    const out: Param[] = [];
    let kwOnly = false;
    const kids = children(list).filter((c) => c.name !== '(' && c.name !== ')');
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i] as SyntaxNode;
      if (c.name === ',') continue;
      if (c.name === '*' && kids[i + 1]?.name === ',') {
        kwOnly = true;
        continue;
      }
      if (c.name === '*' || c.name === '**') throw this.unsupported(c, '*args and **kwargs parameters');
      if (c.name === 'TypeDef') throw this.unsupported(c, 'A type annotation');
      if (c.name !== 'VariableName') throw this.unsupported(c, 'This parameter');
      let def: Expr | undefined;
      if (kids[i + 1]?.name === 'AssignOp') {
        def = this.expr(kids[i + 2] as SyntaxNode);
        i += 2;
      }
      out.push({ name: this.text(c), default: def, kwOnly });
    }
    return out;
  }

  /** Functions and loops the statement being converted sits in, for break, continue and return. */
  private depth = 0;
  private loops = 0;
  /** Inside an `async def`, where await and async with may appear. */
  private inAsync = false;

  loopBody(n: SyntaxNode): Stmt[] {
    this.loops++;
    try {
      return this.body(n);
    } finally {
      this.loops--;
    }
  }

  functionCode(n: SyntaxNode): FunctionCode {
    const k = meaningful(n);
    if (this.depth > 0) throw this.unsupported(n, 'A def inside a function (a closure)');
    if (k.some((c) => c.name === 'TypeDef')) throw this.unsupported(n, 'A return annotation');
    const isAsync = k[0]?.name === 'async';
    const at = isAsync ? 1 : 0;
    const name = this.text(k[at + 1] as SyntaxNode);
    const params = this.params(k.find((c) => c.name === 'ParamList'));
    const loops = this.loops;
    const inAsync = this.inAsync;
    this.depth++;
    this.loops = 0;
    this.inAsync = isAsync;
    try {
      const body = this.body(k.find((c) => c.name === 'Body') as SyntaxNode);
      return { name, params, body, locals: localsOf(params, body), line: this.pos(n.from).line, expr: undefined, ...(isAsync ? { async: true } : {}) };
    } finally {
      this.depth--;
      this.loops = loops;
      this.inAsync = inAsync;
    }
  }

  args(list: SyntaxNode): { args: Arg[]; comp: Expr | undefined } {
    const kids = children(list).filter((c) => c.name !== '(' && c.name !== ')');
    if (kids.some((c) => c.name === 'for')) {
      return { args: [], comp: this.comprehension(kids, 'gen', this.pos(list.from)) };
    }
    const out: Arg[] = [];
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i] as SyntaxNode;
      if (c.name === ',') continue;
      if (c.name === '**') throw this.unsupported(c, '**kwargs in a call');
      if (c.name === '*') {
        out.push({ name: undefined, star: true, value: this.expr(kids[i + 1] as SyntaxNode) });
        i++;
      } else if (kids[i + 1]?.name === 'AssignOp') {
        if (this.text(kids[i + 1] as SyntaxNode) === ':=') throw this.unsupported(kids[i + 1] as SyntaxNode, 'The := operator');
        out.push({ name: this.text(c), star: false, value: this.expr(kids[i + 2] as SyntaxNode) });
        i += 2;
      } else out.push({ name: undefined, star: false, value: this.expr(c) });
    }
    return { args: out, comp: undefined };
  }

  comprehension(kids: readonly SyntaxNode[], kind: 'list' | 'set' | 'gen' | 'dict', p: Pos): Expr {
    const firstFor = kids.findIndex((c) => c.name === 'for');
    const head = kids.slice(0, firstFor).filter((c) => !PUNCT.has(c.name));
    const elt = this.expr(head[0] as SyntaxNode);
    const value = kind === 'dict' ? this.expr(head[1] as SyntaxNode) : undefined;
    const clauses: CompClause[] = [];
    const rest = kids.slice(firstFor);
    let i = 0;
    while (i < rest.length) {
      const c = rest[i] as SyntaxNode;
      if (c.name === 'for') {
        const inAt = rest.findIndex((x, j) => j > i && x.name === 'in');
        const target = this.target(this.exprList(rest.slice(i + 1, inAt), c));
        const iter = this.expr(rest[inAt + 1] as SyntaxNode);
        clauses.push({ target, iter, ifs: [] });
        i = inAt + 2;
      } else if (c.name === 'if') {
        const last = clauses[clauses.length - 1] as CompClause;
        clauses[clauses.length - 1] = { ...last, ifs: [...last.ifs, this.expr(rest[i + 1] as SyntaxNode)] };
        i += 2;
      } else i++;
    }
    return { ...p, k: 'comp', kind, elt, value, clauses };
  }

  fstring(n: SyntaxNode, p: Pos): FPart[] {
    const text = this.text(n);
    const { prefix, quote } = splitLiteral(text);
    const raw = prefix.includes('r');
    const start = n.from + prefix.length + quote.length;
    const end = n.to - quote.length;
    const parts: FPart[] = [];
    const literal = (from: number, to: number) => {
      if (to <= from) return;
      const chunk = this.src.slice(from, to).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      parts.push(raw ? chunk : unescape(chunk, false));
    };
    let at = start;
    for (const r of children(n).filter((c) => c.name === 'FormatReplacement')) {
      literal(at, r.from);
      const inner = children(r);
      const exprNode = inner.find((c) => !PUNCT.has(c.name) && c.name !== 'FormatConversion' && c.name !== 'FormatSpec' && c.name !== 'FormatSelfDoc');
      const selfDoc = inner.find((c) => c.name === 'FormatSelfDoc');
      if (exprNode === undefined) throw new Problem({ kind: 'syntax', ...p, message: "f-string: empty expression not allowed" });
      const conv = inner.find((c) => c.name === 'FormatConversion');
      const specNode = inner.find((c) => c.name === 'FormatSpec');
      if (specNode !== undefined && children(specNode).some((c) => c.name === 'FormatReplacement')) throw this.unsupported(specNode, 'A nested replacement in a format spec');
      // f"{x=}" prints the expression's text, then its repr unless a conversion or spec says otherwise.
      if (selfDoc !== undefined) parts.push(this.src.slice((r.firstChild as SyntaxNode).to, (selfDoc.nextSibling ?? selfDoc).from));
      const convText = conv === undefined ? (selfDoc !== undefined && specNode === undefined ? 'r' : undefined) : this.text(conv).slice(1);
      if (convText !== undefined && convText !== 'r' && convText !== 's') throw this.unsupported(conv as SyntaxNode, `The !${convText} conversion`);
      parts.push({ expr: this.expr(exprNode), conv: convText as 'r' | 's' | undefined, spec: specNode === undefined ? '' : this.text(specNode).slice(1) });
      at = r.to;
    }
    literal(at, end);
    return parts;
  }

  stringConst(n: SyntaxNode, p: Pos): Expr {
    const { prefix, body } = splitLiteral(this.text(n));
    const raw = prefix.includes('r');
    if (prefix.includes('b')) return { ...p, k: 'const', value: bytes(raw ? body : unescape(body, true)) };
    return { ...p, k: 'const', value: str(raw ? body : unescape(body, false)) };
  }

  number(n: SyntaxNode, p: Pos): Expr {
    const t = this.text(n).replace(/_/g, '');
    if (/^0[xob]/i.test(t)) return { ...p, k: 'const', value: int(Number(t.toLowerCase())) };
    if (/[.eE]/.test(t)) return { ...p, k: 'const', value: float(Number(t)) };
    if (/[jJ]$/.test(t)) throw this.unsupported(n, 'A complex number');
    return { ...p, k: 'const', value: int(Number(t)) };
  }

  /** @lezer/python binds `not` more loosely than `and`/`or`; Python binds it more tightly, so the chain is rebuilt. */
  boolChain(n: SyntaxNode): Expr {
    type Item = { nots: number; e: SyntaxNode } | 'and' | 'or';
    const items: Item[] = [];
    let pendingNots = 0;
    const walk = (x: SyntaxNode): void => {
      if (x.name === 'UnaryExpression' && this.text(x.firstChild as SyntaxNode) === 'not') {
        pendingNots++;
        walk(x.lastChild as SyntaxNode);
        return;
      }
      const op = x.name === 'BinaryExpression' ? x.firstChild?.nextSibling : null;
      if (op !== null && op !== undefined && (op.name === 'and' || op.name === 'or')) {
        walk(x.firstChild as SyntaxNode);
        items.push(op.name);
        walk(x.lastChild as SyntaxNode);
        return;
      }
      items.push({ nots: pendingNots, e: x });
      pendingNots = 0;
    };
    walk(n);
    const operand = (it: { nots: number; e: SyntaxNode }): Expr => {
      let e = this.plainExpr(it.e);
      for (let i = 0; i < it.nots; i++) e = { ...this.pos(it.e.from), k: 'unary', op: 'not', e };
      return e;
    };
    const fold = (list: readonly Item[], op: 'and' | 'or'): Expr => {
      const groups: Item[][] = [[]];
      for (const it of list) {
        if (it === op) groups.push([]);
        else (groups[groups.length - 1] as Item[]).push(it);
      }
      const parts = groups.map((g) => (op === 'or' ? fold(g, 'and') : operand(g[0] as { nots: number; e: SyntaxNode })));
      return parts.slice(1).reduce((l, r) => ({ ...this.pos(n.from), line: l.line, col: l.col, k: 'bool', op, l, r }), parts[0] as Expr);
    };
    return fold(items, 'or');
  }

  expr(n: SyntaxNode): Expr {
    if (n.name === 'UnaryExpression' && this.text(n.firstChild as SyntaxNode) === 'not') return this.boolChain(n);
    const op = n.name === 'BinaryExpression' ? n.firstChild?.nextSibling : undefined;
    if (op !== undefined && op !== null && (op.name === 'and' || op.name === 'or')) return this.boolChain(n);
    return this.plainExpr(n);
  }

  plainExpr(n: SyntaxNode): Expr {
    const p = this.pos(n.from);
    const k = meaningful(n);
    switch (n.name) {
      case 'VariableName':
        return { ...p, k: 'name', id: this.text(n) };
      case 'Boolean':
        return { ...p, k: 'const', value: bool(this.text(n) === 'True') };
      case 'None':
        return { ...p, k: 'const', value: NONE };
      case 'Number':
        return this.number(n, p);
      case 'String':
        return this.stringConst(n, p);
      case 'FormatString':
        return { ...p, k: 'fstring', parts: this.fstring(n, p) };
      case 'ContinuedString': {
        const parts: FPart[] = [];
        for (const c of children(n)) {
          const e = this.expr(c);
          if (e.k === 'fstring') parts.push(...e.parts);
          else if (e.k === 'const' && (e.value.type === 'str' || e.value.type === 'bytes')) parts.push(e.value.value);
        }
        const first = this.expr(n.firstChild as SyntaxNode);
        if (first.k === 'const' && first.value.type === 'bytes') return { ...p, k: 'const', value: bytes(parts.join('')) };
        return parts.every((x) => typeof x === 'string') ? { ...p, k: 'const', value: str(parts.join('')) } : { ...p, k: 'fstring', parts };
      }
      case 'ParenthesizedExpression':
        return this.expr(k[0] as SyntaxNode);
      case 'TupleExpression':
        return { ...p, k: 'tuple', items: k.map((c) => this.expr(c)) };
      case 'ArrayExpression':
        return { ...p, k: 'list', items: k.map((c) => this.expr(c)) };
      case 'SetExpression':
        return { ...p, k: 'set', items: k.map((c) => this.expr(c)) };
      case 'DictionaryExpression': {
        const entries: [Expr, Expr][] = [];
        for (let i = 0; i + 1 < k.length; i += 2) entries.push([this.expr(k[i] as SyntaxNode), this.expr(k[i + 1] as SyntaxNode)]);
        return { ...p, k: 'dict', entries };
      }
      case 'ArrayComprehensionExpression':
        return this.comprehension(children(n).slice(1, -1), 'list', p);
      case 'SetComprehensionExpression':
        return this.comprehension(children(n).slice(1, -1), 'set', p);
      case 'DictionaryComprehensionExpression':
        return this.comprehension(children(n).slice(1, -1), 'dict', p);
      case 'ComprehensionExpression':
        return this.comprehension(children(n).slice(1, -1), 'gen', p);
      case 'MemberExpression': {
        const kids = children(n);
        const obj = this.expr(kids[0] as SyntaxNode);
        if (kids[1]?.name === '.') return { ...p, k: 'attr', obj, name: this.text(kids[2] as SyntaxNode) };
        const inner = kids.slice(2, -1);
        if (!inner.some((c) => c.name === ':')) return { ...p, k: 'index', obj, index: this.exprList(inner, n) };
        const slots: (Expr | undefined)[] = [undefined, undefined, undefined];
        let slot = 0;
        for (const c of inner) {
          if (c.name === ':') slot++;
          else if (c.name === ',') throw this.unsupported(c, 'A multi-dimensional subscript');
          else slots[slot] = this.expr(c);
        }
        const [lo, hi, step] = slots;
        return { ...p, k: 'slice', obj, ...(lo === undefined ? {} : { lo }), ...(hi === undefined ? {} : { hi }), ...(step === undefined ? {} : { step }) };
      }
      case 'CallExpression': {
        const [fn, list] = children(n);
        const { args, comp } = this.args(list as SyntaxNode);
        return { ...p, k: 'call', fn: this.expr(fn as SyntaxNode), args: comp === undefined ? args : [{ name: undefined, star: false, value: comp }] };
      }
      case 'BinaryExpression': {
        const kids = children(n);
        const l = this.expr(kids[0] as SyntaxNode);
        const r = this.expr(kids[kids.length - 1] as SyntaxNode);
        const ops = kids
          .slice(1, -1)
          .map((c) => this.text(c))
          .join(' ');
        if (['==', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is', 'is not'].includes(ops)) {
          if (kids[0]?.name === 'BinaryExpression' && /^(==|!=|<|<=|>|>=|in|is)/.test(this.text(kids[0].firstChild?.nextSibling as SyntaxNode)))
            throw this.unsupported(n, 'A chained comparison (a < b < c)');
          return { ...p, k: 'cmp', op: ops as CmpOp, l, r };
        }
        if (ops === '@') throw this.unsupported(n, 'The @ operator');
        return { ...p, k: 'bin', op: ops as BinOp, l, r };
      }
      case 'UnaryExpression': {
        const op = this.text(n.firstChild as SyntaxNode) as '-' | '+' | '~';
        return { ...p, k: 'unary', op, e: this.expr(n.lastChild as SyntaxNode) };
      }
      case 'ConditionalExpression': {
        const [body, , test, , orelse] = k;
        return { ...p, k: 'cond', body: this.expr(body as SyntaxNode), test: this.expr(test as SyntaxNode), orelse: this.expr(orelse as SyntaxNode) };
      }
      case 'LambdaExpression': {
        const params = this.params(k.find((c) => c.name === 'ParamList'));
        const inAsync = this.inAsync;
        this.inAsync = false;
        let e: Expr;
        try {
          e = this.expr(k[k.length - 1] as SyntaxNode);
        } finally {
          this.inAsync = inAsync;
        }
        return { ...p, k: 'lambda', fn: { name: '<lambda>', params, body: [], locals: new Set(params.map((x) => x.name)), line: p.line, expr: e } };
      }
      case 'AwaitExpression':
        if (!this.inAsync) throw new Problem({ kind: 'syntax', ...p, message: this.depth === 0 ? "'await' outside function" : "'await' outside async function" });
        return { ...p, k: 'await', e: this.expr(k[1] as SyntaxNode) };
      case 'Ellipsis':
        throw this.unsupported(n, 'The ... literal');
      case 'NamedExpression':
        throw this.unsupported(n, 'The := operator');
      case 'YieldExpression':
        throw this.unsupported(n, 'yield');
      default:
        throw this.unsupported(n, `${n.name.replace(/([a-z])([A-Z])/g, '$1 $2')}`);
    }
  }
}

function targetNames(e: Expr, out: Set<string>): void {
  if (e.k === 'name') out.add(e.id);
  else if (e.k === 'tuple' || e.k === 'list') for (const i of e.items) targetNames(i, out);
}

/** Names a function body binds: Python makes them local to the whole function. */
function localsOf(params: readonly Param[], body: readonly Stmt[]): ReadonlySet<string> {
  const out = new Set(params.map((p) => p.name));
  const globals = new Set<string>();
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      switch (s.k) {
        case 'assign':
          for (const t of s.targets) targetNames(t, out);
          break;
        case 'aug':
          targetNames(s.target, out);
          break;
        case 'for':
          targetNames(s.target, out);
          walk(s.body);
          walk(s.orelse);
          break;
        case 'with':
          if (s.as !== undefined) targetNames(s.as, out);
          walk(s.body);
          break;
        case 'if':
        case 'while':
          walk(s.body);
          walk(s.orelse);
          break;
        case 'try':
          walk(s.body);
          for (const h of s.handlers) {
            if (h.name !== undefined) out.add(h.name);
            walk(h.body);
          }
          walk(s.orelse);
          walk(s.finalbody);
          break;
        case 'def':
          out.add(s.fn.name);
          break;
        case 'class':
          out.add(s.name);
          break;
        case 'import':
          for (const n of s.names) out.add(n.as);
          break;
        case 'from':
          for (const n of s.names) out.add(n.as);
          break;
        case 'del':
          for (const t of s.targets) targetNames(t, out);
          break;
        case 'global':
          for (const n of s.names) globals.add(n);
          break;
        default:
          break;
      }
    }
  };
  walk(body);
  for (const g of globals) out.delete(g);
  return out;
}

function collectStepLines(body: readonly Stmt[], out: Set<number>): void {
  for (const s of body) {
    if (s.k !== 'try') out.add(s.line);
    switch (s.k) {
      case 'if':
      case 'while':
      case 'for':
        collectStepLines(s.body, out);
        collectStepLines(s.orelse, out);
        break;
      case 'with':
        collectStepLines(s.body, out);
        break;
      case 'try':
        collectStepLines(s.body, out);
        for (const h of s.handlers) {
          out.add(h.line);
          collectStepLines(h.body, out);
        }
        collectStepLines(s.orelse, out);
        collectStepLines(s.finalbody, out);
        break;
      case 'def':
        collectStepLines(s.fn.body, out);
        break;
      default:
        break;
    }
  }
}

function firstError(n: SyntaxNode): SyntaxNode | undefined {
  const cursor = n.cursor();
  do {
    if (cursor.type.isError) return cursor.node;
  } while (cursor.next());
  return undefined;
}

/** Parses a program with @lezer/python and converts it, or says where and why it cannot run. */
export function parseProgram(source: string, file: string): Parsed {
  const tree = parser.parse(source);
  const conv = new Converter(source);
  const err = firstError(tree.topNode);
  if (err !== undefined) {
    const p = conv.pos(err.from);
    const inside = err.parent?.name === 'Script' || err.parent === null ? '' : ` in ${err.parent.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
    return { ok: false, problem: { kind: 'syntax', ...p, message: `invalid syntax${inside}` } };
  }
  try {
    const body = conv.body(tree.topNode);
    const stepLines = new Set<number>();
    collectStepLines(body, stepLines);
    return { ok: true, module: { file, lines: source.split('\n'), body, stepLines } };
  } catch (e) {
    if (e instanceof Problem) return { ok: false, problem: e.problem };
    throw e;
  }
}

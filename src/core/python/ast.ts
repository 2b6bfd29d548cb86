import type { PyValue } from '../select-loop/py-value.ts';

/**
 * The syntax tree the interpreter runs: the subset of Python the course uses, built from
 * @lezer/python's tree by parse.ts. Every node keeps where it starts, for errors and tracebacks.
 */
export type Pos = { readonly line: number; readonly col: number };

export type BinOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '|' | '&' | '^' | '<<' | '>>';
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not';

export type FPart = string | { readonly expr: Expr; readonly conv: 'r' | 's' | undefined; readonly spec: string };

export type CompClause = { readonly target: Expr; readonly iter: Expr; readonly ifs: readonly Expr[] };

export type Arg = { readonly name: string | undefined; readonly star: boolean; readonly value: Expr };

export type Expr = Pos &
  (
    | { readonly k: 'name'; readonly id: string }
    | { readonly k: 'const'; readonly value: PyValue }
    | { readonly k: 'fstring'; readonly parts: readonly FPart[] }
    | { readonly k: 'tuple' | 'list' | 'set'; readonly items: readonly Expr[] }
    | { readonly k: 'dict'; readonly entries: readonly (readonly [Expr, Expr])[] }
    | { readonly k: 'attr'; readonly obj: Expr; readonly name: string }
    | { readonly k: 'index'; readonly obj: Expr; readonly index: Expr }
    | { readonly k: 'slice'; readonly obj: Expr; readonly lo?: Expr; readonly hi?: Expr; readonly step?: Expr }
    | { readonly k: 'call'; readonly fn: Expr; readonly args: readonly Arg[] }
    | { readonly k: 'bin'; readonly op: BinOp; readonly l: Expr; readonly r: Expr }
    | { readonly k: 'cmp'; readonly op: CmpOp; readonly l: Expr; readonly r: Expr }
    | { readonly k: 'bool'; readonly op: 'and' | 'or'; readonly l: Expr; readonly r: Expr }
    | { readonly k: 'unary'; readonly op: 'not' | '-' | '+' | '~'; readonly e: Expr }
    | { readonly k: 'cond'; readonly test: Expr; readonly body: Expr; readonly orelse: Expr }
    | {
        readonly k: 'comp';
        readonly kind: 'list' | 'set' | 'gen' | 'dict';
        readonly elt: Expr;
        readonly value: Expr | undefined;
        readonly clauses: readonly CompClause[];
      }
    | { readonly k: 'lambda'; readonly fn: FunctionCode }
    | { readonly k: 'await'; readonly e: Expr }
  );

export type Param = { readonly name: string; readonly default: Expr | undefined; readonly kwOnly: boolean };

/** A def's code: parameters, body, and the names it binds (its locals, as Python decides at compile time). */
export type FunctionCode = {
  readonly name: string;
  readonly params: readonly Param[];
  readonly body: readonly Stmt[];
  readonly locals: ReadonlySet<string>;
  readonly line: number;
  /** A lambda's body is one expression, returned. */
  readonly expr: Expr | undefined;
  /** `async def`: calling it makes a coroutine object, and its body runs only when that is awaited or made a task. */
  readonly async?: boolean;
};

export type Handler = Pos & { readonly type: Expr | undefined; readonly name: string | undefined; readonly body: readonly Stmt[] };

export type Stmt = Pos &
  (
    | { readonly k: 'expr'; readonly e: Expr }
    | { readonly k: 'assign'; readonly targets: readonly Expr[]; readonly value: Expr }
    | { readonly k: 'aug'; readonly target: Expr; readonly op: BinOp; readonly value: Expr }
    | { readonly k: 'pass' | 'break' | 'continue' }
    | { readonly k: 'return'; readonly value: Expr | undefined }
    | { readonly k: 'raise'; readonly exc: Expr | undefined; readonly cause: Expr | undefined }
    | { readonly k: 'import'; readonly names: readonly { readonly module: string; readonly as: string }[] }
    | { readonly k: 'from'; readonly module: string; readonly names: readonly { readonly name: string; readonly as: string }[] }
    | { readonly k: 'if'; readonly test: Expr; readonly body: readonly Stmt[]; readonly orelse: readonly Stmt[] }
    | { readonly k: 'while'; readonly test: Expr; readonly body: readonly Stmt[]; readonly orelse: readonly Stmt[] }
    | { readonly k: 'for'; readonly target: Expr; readonly iter: Expr; readonly body: readonly Stmt[]; readonly orelse: readonly Stmt[] }
    | { readonly k: 'with'; readonly ctx: Expr; readonly as: Expr | undefined; readonly body: readonly Stmt[]; readonly async?: boolean }
    | {
        readonly k: 'try';
        readonly body: readonly Stmt[];
        readonly handlers: readonly Handler[];
        readonly orelse: readonly Stmt[];
        readonly finalbody: readonly Stmt[];
      }
    | { readonly k: 'def'; readonly fn: FunctionCode }
    | { readonly k: 'class'; readonly name: string; readonly bases: readonly Expr[]; readonly body: readonly Stmt[] }
    | { readonly k: 'global'; readonly names: readonly string[] }
    | { readonly k: 'del'; readonly targets: readonly Expr[] }
    | { readonly k: 'assert'; readonly test: Expr; readonly msg: Expr | undefined }
  );

export type Module = {
  readonly file: string;
  /** The source split into lines, for tracebacks and the listing. */
  readonly lines: readonly string[];
  readonly body: readonly Stmt[];
  /** Lines a step can stop on: the first line of each statement, clause test and loop header. */
  readonly stepLines: ReadonlySet<number>;
};

/** Why a source text cannot run: a syntax error, or Python the interpreter does not support. */
export type SourceProblem = {
  readonly kind: 'syntax' | 'unsupported';
  readonly line: number;
  readonly col: number;
  readonly message: string;
};

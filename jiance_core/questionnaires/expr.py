"""The one evaluator of XLSForm expressions (`relevant`, `constraint`), a small XPath subset.

The same rules are written once more in JavaScript (`jiance/questionnaires/static/questionnaires/
xlsexpr.js`) for the page; `tests/core/test_questionnaire_expr.py` holds the table both must agree
on and `tests/browser/test_questionnaire_expr.py` runs the JavaScript over it in Chromium.

Supported (the subset researchers use in XLSForm skip logic and checks):
- literals: numbers (`12`, `3.5`) and strings (`'a'`, `"a"`); `${name}` (another answer) and `.` (this answer);
- `or`, `and`, `not(x)`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`, `div`, `mod`, unary `-`, parentheses;
- `selected(${x}, 'v')`, `count-selected(${x})`, `true()`, `false()`, `string-length(x)`.

Values (as XPath 1.0 sees them): an unanswered question is the empty string; a number answer is a
number; a multiple choice is its choices joined by spaces; everything else a string.
- `=` / `!=`: with a boolean on either side both are booleans; else with a number on either side
  both are numbers; else strings. NaN equals nothing (so `!=` with NaN is true).
- `<` `<=` `>` `>=`: numbers, except two strings that are both ISO dates (YYYY-MM-DD), compared
  as dates (what ODK does for date questions); NaN compares false.
- arithmetic on numbers (an empty or non-numeric string is NaN); `div` by zero is ±Infinity or NaN;
  `mod` keeps the sign of the dividend.
- truth: a number is true unless 0 or NaN; a string unless empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Value = float | str | bool
Node = tuple[Any, ...]

FUNCTIONS = {"selected": 2, "count-selected": 1, "not": 1, "true": 0, "false": 0, "string-length": 1}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.\-]*\})
  | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.)
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
    )""",
    re.VERBOSE,
)


class ExprError(ValueError):
    """An expression outside the supported subset, with the reason in Chinese."""


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ExprError(f"无法识别“{text[pos:pos + 10].strip()}”")
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "name" and value in ("and", "or", "div", "mod"):
            kind = "op"
        out.append(_Tok(kind, value))
    return out


# binding power of the binary operators (XPath 1.0 precedence)
_BINARY = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
           "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise ExprError("表达式不完整")
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise ExprError(f"此处应为“{text}”，实为“{tok.text}”")

    def expr(self, power: int = 0) -> Node:
        left = self.unary()
        while True:
            tok = self.peek()
            if tok is None or tok.kind != "op" or tok.text not in _BINARY or _BINARY[tok.text] <= power:
                return left
            self.i += 1
            left = ("bin", tok.text, left, self.expr(_BINARY[tok.text]))

    def unary(self) -> Node:
        tok = self.take()
        if tok.kind == "op" and tok.text == "-":
            return ("neg", self.unary())
        if tok.kind == "num":
            return ("num", float(tok.text))
        if tok.kind == "str":
            return ("str", tok.text[1:-1])
        if tok.kind == "ref":
            return ("ref", tok.text[2:-1])
        if tok.kind == "dot":
            return ("dot",)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if tok.kind == "name":
            return self.call(tok.text)
        raise ExprError(f"此处不应出现“{tok.text}”")

    def call(self, name: str) -> Node:
        nxt = self.peek()
        if nxt is None or nxt.text != "(":
            raise ExprError(f"不支持路径或名称“{name}”（引用其他题目请写 ${{{name}}}）")
        if name not in FUNCTIONS:
            raise ExprError(f"不支持函数 {name}()")
        self.i += 1
        args: list[Node] = []
        if self.peek() is not None and self.peek().text != ")":  # type: ignore[union-attr]
            args.append(self.expr())
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.i += 1
                args.append(self.expr())
        self.expect(")")
        if len(args) != FUNCTIONS[name]:
            raise ExprError(f"函数 {name}() 需要 {FUNCTIONS[name]} 个参数，实有 {len(args)} 个")
        return ("call", name, *args)


def parse(text: str) -> Node:
    """The syntax tree of `text`; raises `ExprError` (Chinese) outside the subset."""
    tokens = _tokens(text)
    if not tokens:
        raise ExprError("表达式为空")
    p = _Parser(tokens)
    node = p.expr()
    if p.peek() is not None:
        raise ExprError(f"多余的“{p.peek().text}”")  # type: ignore[union-attr]
    return node


def references(node: Node) -> set[str]:
    """The names `${...}` a tree reads."""
    if node[0] == "ref":
        return {node[1]}
    out: set[str] = set()
    for part in node[1:]:
        if isinstance(part, tuple):
            out |= references(part)
    return out


# ---------------------------------------------------------------------------------------------
# values


def as_value(answer: Any) -> Value:
    """An answer as the evaluator sees it."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, (int, float)):
        return float(answer)
    if isinstance(answer, (list, tuple)):
        return " ".join(str(a) for a in answer)
    return str(answer)


def to_number(v: Value) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    s = v.strip()
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", s):
        return math.nan
    return float(s)


def to_bool(v: Value) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    return v != ""


def _compare(op: str, a: Value, b: Value) -> bool:
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            same = to_bool(a) == to_bool(b)
        elif isinstance(a, float) or isinstance(b, float):
            x, y = to_number(a), to_number(b)
            same = x == y  # NaN == anything is False
        else:
            same = a == b
        return same if op == "=" else not same
    if isinstance(a, str) and isinstance(b, str) and DATE.match(a) and DATE.match(b):
        x, y = float(a.replace("-", "")), float(b.replace("-", ""))
    else:
        x, y = to_number(a), to_number(b)
    if math.isnan(x) or math.isnan(y):
        return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _arith(op: str, a: Value, b: Value) -> float:
    x, y = to_number(a), to_number(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if op == "div":
        if y == 0:
            return math.nan if x == 0 else math.copysign(math.inf, x) * (1 if math.copysign(1, y) > 0 else -1)
        return x / y
    if y == 0 or math.isinf(x):
        return math.nan
    return math.fmod(x, y)


def evaluate(node: Node, answers: Mapping[str, Any], current: Any = None) -> Value:
    """The value of `node` with `answers` (name → answer) and `.` = `current`."""
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "str":
        return str(node[1])
    if kind == "ref":
        return as_value(answers.get(node[1]))
    if kind == "dot":
        return as_value(current)
    if kind == "neg":
        return -to_number(evaluate(node[1], answers, current))
    if kind == "bin":
        op = node[1]
        if op == "or":
            return to_bool(evaluate(node[2], answers, current)) or to_bool(evaluate(node[3], answers, current))
        if op == "and":
            return to_bool(evaluate(node[2], answers, current)) and to_bool(evaluate(node[3], answers, current))
        a, b = evaluate(node[2], answers, current), evaluate(node[3], answers, current)
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return _compare(op, a, b)
        return _arith(op, a, b)
    if kind == "call":
        name, args = node[1], node[2:]
        if name == "true":
            return True
        if name == "false":
            return False
        if name == "not":
            return not to_bool(evaluate(args[0], answers, current))
        value = evaluate(args[0], answers, current)
        text = value if isinstance(value, str) else _as_string(value)
        if name == "count-selected":
            return float(len(text.split()))
        if name == "string-length":
            return float(len(text))
        wanted = evaluate(args[1], answers, current)
        return (wanted if isinstance(wanted, str) else _as_string(wanted)) in text.split()
    raise ExprError(f"未知的表达式节点 {kind}")  # pragma: no cover - parse() builds only the kinds above


def _as_string(v: Value) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return str(int(v)) if v == int(v) else repr(v)


def holds(text: str, answers: Mapping[str, Any], current: Any = None) -> bool:
    """Whether the expression `text` is true (an empty expression is)."""
    if not text.strip():
        return True
    return to_bool(evaluate(parse(text), answers, current))

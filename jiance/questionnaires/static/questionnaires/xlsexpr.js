/* The XLSForm expression subset of jiance_core/questionnaires/expr.py, the same rules in the page.
   Any change here is a change there: tests/core/test_questionnaire_expr.py holds the table both
   evaluate, and tests/browser/test_questionnaire_expr.py runs this file over it in Chromium. */
(function (root) {
  "use strict";
  var FUNCTIONS = { "selected": 2, "count-selected": 1, "not": 1, "true": 0, "false": 0, "string-length": 1 };
  var BINARY = { "or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
                 "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6 };
  var TOKEN = /^\s*(?:(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|(\$\{[A-Za-z_][A-Za-z0-9_.\-]*\})|(<=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)|(\.)|([A-Za-z_][A-Za-z0-9_\-]*))/;
  var DATE = /^\d{4}-\d{2}-\d{2}$/;
  var NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;

  function tokens(text) {
    var out = [], rest = text.replace(/\s+$/, "");
    while (rest.length) {
      var m = TOKEN.exec(rest);
      if (!m || !m[0].length) { throw new Error("无法识别“" + rest.slice(0, 10).trim() + "”"); }
      rest = rest.slice(m[0].length);
      if (m[1] !== undefined) out.push({ kind: "num", text: m[1] });
      else if (m[2] !== undefined) out.push({ kind: "str", text: m[2] });
      else if (m[3] !== undefined) out.push({ kind: "ref", text: m[3] });
      else if (m[4] !== undefined) out.push({ kind: "op", text: m[4] });
      else if (m[5] !== undefined) out.push({ kind: "dot", text: "." });
      else {
        var word = m[6];
        out.push({ kind: ["and", "or", "div", "mod"].indexOf(word) >= 0 ? "op" : "name", text: word });
      }
    }
    return out;
  }

  function parse(text) {
    var toks = tokens(text), i = 0;
    if (!toks.length) throw new Error("表达式为空");
    function peek() { return i < toks.length ? toks[i] : null; }
    function take() { var t = peek(); if (!t) throw new Error("表达式不完整"); i += 1; return t; }
    function expect(s) { var t = take(); if (t.text !== s) throw new Error("此处应为“" + s + "”"); }
    function expr(power) {
      var left = unary();
      for (;;) {
        var t = peek();
        if (!t || t.kind !== "op" || !(t.text in BINARY) || BINARY[t.text] <= power) return left;
        i += 1;
        left = ["bin", t.text, left, expr(BINARY[t.text])];
      }
    }
    function unary() {
      var t = take();
      if (t.kind === "op" && t.text === "-") return ["neg", unary()];
      if (t.kind === "num") return ["num", parseFloat(t.text)];
      if (t.kind === "str") return ["str", t.text.slice(1, -1)];
      if (t.kind === "ref") return ["ref", t.text.slice(2, -1)];
      if (t.kind === "dot") return ["dot"];
      if (t.kind === "op" && t.text === "(") { var inner = expr(0); expect(")"); return inner; }
      if (t.kind === "name") {
        var n = peek();
        if (!n || n.text !== "(" || !(t.text in FUNCTIONS)) throw new Error("不支持 " + t.text);
        i += 1;
        var args = [];
        if (peek() && peek().text !== ")") {
          args.push(expr(0));
          while (peek() && peek().text === ",") { i += 1; args.push(expr(0)); }
        }
        expect(")");
        if (args.length !== FUNCTIONS[t.text]) throw new Error("参数个数不对");
        return ["call", t.text].concat(args);
      }
      throw new Error("此处不应出现“" + t.text + "”");
    }
    var node = expr(0);
    if (peek()) throw new Error("多余的“" + peek().text + "”");
    return node;
  }

  function asValue(answer) {
    if (answer === null || answer === undefined) return "";
    if (typeof answer === "boolean" || typeof answer === "number") return answer;
    if (Array.isArray(answer)) return answer.join(" ");
    return String(answer);
  }
  function toNumber(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    var s = v.trim();
    return NUMBER.test(s) ? parseFloat(s) : NaN;
  }
  function toBool(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return !(v === 0 || isNaN(v));
    return v !== "";
  }
  function asString(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "string") return v;
    return String(v);
  }
  function compare(op, a, b) {
    var x, y, same;
    if (op === "=" || op === "!=") {
      if (typeof a === "boolean" || typeof b === "boolean") same = toBool(a) === toBool(b);
      else if (typeof a === "number" || typeof b === "number") same = toNumber(a) === toNumber(b);
      else same = a === b;
      return op === "=" ? same : !same;
    }
    if (typeof a === "string" && typeof b === "string" && DATE.test(a) && DATE.test(b)) {
      x = parseFloat(a.replace(/-/g, "")); y = parseFloat(b.replace(/-/g, ""));
    } else { x = toNumber(a); y = toNumber(b); }
    if (isNaN(x) || isNaN(y)) return false;
    return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
  }
  function arith(op, a, b) {
    var x = toNumber(a), y = toNumber(b);
    if (op === "+") return x + y;
    if (op === "-") return x - y;
    if (op === "*") return x * y;
    if (op === "div") return x / y;
    return x % y;
  }
  function evaluate(node, answers, current) {
    switch (node[0]) {
      case "num": return node[1];
      case "str": return node[1];
      case "ref": return asValue(answers[node[1]]);
      case "dot": return asValue(current);
      case "neg": return -toNumber(evaluate(node[1], answers, current));
      case "bin": {
        var op = node[1];
        if (op === "or") return toBool(evaluate(node[2], answers, current)) || toBool(evaluate(node[3], answers, current));
        if (op === "and") return toBool(evaluate(node[2], answers, current)) && toBool(evaluate(node[3], answers, current));
        var a = evaluate(node[2], answers, current), b = evaluate(node[3], answers, current);
        if (["=", "!=", "<", "<=", ">", ">="].indexOf(op) >= 0) return compare(op, a, b);
        return arith(op, a, b);
      }
      case "call": {
        var name = node[1];
        if (name === "true") return true;
        if (name === "false") return false;
        if (name === "not") return !toBool(evaluate(node[2], answers, current));
        var text = asString(evaluate(node[2], answers, current));
        var words = text.split(/\s+/).filter(function (w) { return w.length > 0; });
        if (name === "count-selected") return words.length;
        if (name === "string-length") return text.length;
        return words.indexOf(asString(evaluate(node[3], answers, current))) >= 0;
      }
    }
    throw new Error("未知的表达式");
  }
  function holds(text, answers, current) {
    if (!text || !text.trim()) return true;
    return toBool(evaluate(parse(text), answers, current));
  }
  root.XlsExpr = { parse: parse, evaluate: evaluate, holds: holds, asValue: asValue, toBool: toBool };
})(typeof window !== "undefined" ? window : this);

"""GitHub Actions expressions (`${{ ... }}`), evaluated the way the runner does.

A port of GitHub's reference implementation (actions/languageservices,
expressions/src: lexer, parser, evaluator, result and funcs), checked
against its known-answer tests, vendored in tests/fixtures/replay/expressions/.
No maintained Python implementation exists on PyPI (only tree-sitter
grammars, which parse but do not evaluate).

Values are plain Python: None, bool, int/float, str, list and dict. Objects
are looked up case-insensitively, as GitHub's contexts are. `||` and `&&`
return an operand, not a boolean; `==` coerces types (strings and booleans
to numbers) and compares strings ignoring case.

An unknown context or function is an error at parse time, never a silent
empty string: a typo in a workflow would otherwise pass the replay.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 50
MAX_LENGTH = 21000


class ExpressionError(Exception):
    """The expression cannot be lexed or parsed (GitHub refuses the workflow)."""


class EvaluationError(Exception):
    """The expression parsed but failed while evaluating (the step or job fails on GitHub)."""


# ---------------------------------------------------------------- values


class FilteredArray(list):  # type: ignore[type-arg]
    """The result of `a.*` or `a[*]`: a list that later property accesses filter element-wise."""


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_primitive(value: Any) -> bool:
    return value is None or isinstance(value, bool | str) or is_number(value)


def kind(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if is_number(value):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    raise EvaluationError(f"not an expression value: {value!r}")


_JS_NUMBER = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|Infinity)")


def js_number(text: str) -> float:
    """JavaScript's Number(string): what GitHub uses to turn a string into a number."""
    text = text.strip(" \t\n\r\v\f\u00a0\ufeff\u2028\u2029")
    if text == "":
        return 0.0
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if text[:2].lower() == prefix:
            try:
                return float(int(text[2:], base)) if "_" not in text else math.nan
            except ValueError:
                return math.nan
    if not _JS_NUMBER.fullmatch(text):
        return math.nan
    if text.lstrip("+-") == "Infinity":
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        return js_number(value)
    return math.nan


def _js_number_to_string(number: float) -> str:
    """JavaScript's Number.prototype.toString (shortest round trip, exponent outside [1e-7, 1e21))."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    digits, exponent = _shortest_digits(abs(number))
    sign = "-" if number < 0 else ""
    point = exponent + 1  # position of the decimal point after the first digit
    if -6 <= exponent < 21:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'+' if exponent > 0 else '-'}{abs(exponent)}"


def _shortest_digits(number: float) -> tuple[str, int]:
    text = repr(number)  # Python's repr is the shortest string that round-trips, as JavaScript's is
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    if frac == "0":
        frac = ""
    digits = (whole + frac).lstrip("0")
    exponent = (int(exp) if exp else 0) + len(whole) - 1
    if whole == "0":
        stripped = frac.lstrip("0")
        exponent = (int(exp) if exp else 0) - (len(frac) - len(stripped)) - 1
        digits = stripped
    return digits.rstrip("0") or "0", exponent


def number_to_string(number: float) -> str:
    if number == 0:
        return "0"
    if math.isnan(number) or math.isinf(number):
        return _js_number_to_string(number)
    # GitHub limits the precision to 15 digits after the point (toFixed(15)), then drops trailing zeroes.
    if abs(number) < 1e21:
        number = float(f"{number:.15f}")
    return _js_number_to_string(number)


def to_string(value: Any) -> str:
    """How GitHub turns a value into text: in `${{ }}` templates, format(), join(), contains()..."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(float(value))
    if isinstance(value, str):
        return value
    return "Array" if isinstance(value, list) else "Object"


def falsy(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return not value
    if is_number(value):
        return value == 0 or math.isnan(value)
    if isinstance(value, str):
        return value == ""
    return False


def truthy(value: Any) -> bool:
    return not falsy(value)


def _upper(text: str) -> str:
    # GitHub upper-cases for case-insensitive comparison, except the dotless i.
    return "ı".join(part.upper() for part in text.split("ı"))


def _coerce(left: Any, right: Any) -> tuple[Any, Any]:
    lk, rk = kind(left), kind(right)
    if lk == rk:
        return left, right
    if lk == "Number" and rk == "String":
        return left, to_number(right)
    if lk == "String" and rk == "Number":
        return to_number(left), right
    if lk in ("Null", "Boolean"):
        return _coerce(to_number(left), right)
    if rk in ("Null", "Boolean"):
        return _coerce(left, to_number(right))
    return left, right


def equals(left: Any, right: Any) -> bool:
    lv, rv = _coerce(left, right)
    lk = kind(lv)
    if lk != kind(rv):
        return False
    if lk == "Null":
        return True
    if lk == "Number":
        return not (math.isnan(lv) or math.isnan(rv)) and lv == rv
    if lk == "String":
        return _upper(lv) == _upper(rv)
    if lk == "Boolean":
        return bool(lv == rv)
    return lv is rv  # objects and arrays: the same instance only


def _greater(left: Any, right: Any) -> bool:
    lv, rv = _coerce(left, right)
    lk = kind(lv)
    if lk != kind(rv):
        return False
    if lk == "Number":
        return not (math.isnan(lv) or math.isnan(rv)) and lv > rv
    if lk == "String":
        return _upper(lv) > _upper(rv)
    if lk == "Boolean":
        return bool(lv and not rv)
    return False


def _less(left: Any, right: Any) -> bool:
    lv, rv = _coerce(left, right)
    lk = kind(lv)
    if lk != kind(rv):
        return False
    if lk == "Number":
        return not (math.isnan(lv) or math.isnan(rv)) and lv < rv
    if lk == "String":
        return _upper(lv) < _upper(rv)
    if lk == "Boolean":
        return bool(not lv and rv)
    return False


def lookup(obj: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    """A case-insensitive property lookup, as GitHub's dictionaries do it."""
    if key in obj:
        return True, obj[key]
    folded = key.lower()
    for name, value in obj.items():
        if isinstance(name, str) and name.lower() == folded:
            return True, value
    return False, None


# ---------------------------------------------------------------- lexer


@dataclass(frozen=True)
class Token:
    type: str  # ( ) [ ] , . ! != == > >= < <= && || * NUMBER STRING IDENT true false null EOF
    lexeme: str
    value: Any = None
    column: int = 0


_BOUNDARY = set("([)],.!><=&|")


def _is_boundary(char: str) -> bool:
    return char in _BOUNDARY or char.isspace()


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"Exceeded max expression length {MAX_LENGTH}")
    tokens: list[Token] = []
    i = 0

    def previous() -> str:
        return tokens[-1].type if tokens else "EOF"

    def fail(lexeme: str, start: int) -> ExpressionError:
        return ExpressionError(f"Unexpected symbol: '{lexeme}'. Located at position {start + 1} "
                               f"within expression: {text}")

    def number(start: int) -> int:
        end = start + 1
        while end < len(text) and (not _is_boundary(text[end]) or text[end] == "."):
            end += 1
        lexeme = text[start:end]
        value = js_number(lexeme)
        if math.isnan(value):
            raise fail(lexeme, start)
        tokens.append(Token("NUMBER", lexeme, value, start))
        return end

    def identifier(start: int) -> int:
        end = start + 1
        while end < len(text) and not _is_boundary(text[end]):
            end += 1
        lexeme = text[start:end]
        token_type, value = "IDENT", None
        if previous() != ".":
            if lexeme in ("true", "false", "null"):
                token_type = lexeme
                value = {"true": True, "false": False, "null": None}[lexeme]
            elif lexeme == "NaN":
                token_type, value = "NUMBER", math.nan
            elif lexeme == "Infinity":
                token_type, value = "NUMBER", math.inf
        if not _IDENTIFIER.fullmatch(lexeme):
            raise fail(lexeme, start)
        tokens.append(Token(token_type, lexeme, value, start))
        return end

    while i < len(text):
        c = text[i]
        two = text[i:i + 2]
        if c.isspace():
            i += 1
        elif c in "()[],*":
            tokens.append(Token(c, c, None, i))
            i += 1
        elif c == ".":
            if previous() in ("IDENT", "]", ")", "*"):
                tokens.append(Token(".", ".", None, i))
                i += 1
            else:
                i = number(i)
        elif c in "+-" or (c.isdigit() and c.isascii()):
            i = number(i)
        elif two in ("!=", "==", ">=", "<=", "&&", "||"):
            tokens.append(Token(two, two, None, i))
            i += 2
        elif c in "!<>":
            tokens.append(Token(c, c, None, i))
            i += 1
        elif c in "=&|":
            i = identifier(i)  # a lone =, & or | is illegal: read to the next boundary and report it
        elif c == "'":
            end = i + 1
            while end < len(text) and (text[end] != "'" or text[end + 1:end + 2] == "'"):
                end += 2 if text[end] == "'" else 1
            if end >= len(text):
                raise fail(text[i:], i)
            tokens.append(Token("STRING", text[i:end + 1], text[i + 1:end].replace("''", "'"), i))
            i = end + 1
        else:
            i = identifier(i)
    tokens.append(Token("EOF", "", None, len(text)))
    return tokens


# ---------------------------------------------------------------- parser

# Nodes are small tuples: ("lit", value) ("ctx", name) ("idx", obj, index|STAR) ("not", x)
# ("bin", op, left, right) ("and"|"or", [args]) ("call", name, [args]) ("group", x)
STAR = object()


@dataclass(frozen=True)
class Function:
    min_args: int
    max_args: int
    call: Callable[..., Any]


def _builtin_functions() -> dict[str, Function]:
    return {
        "contains": Function(2, 2, _contains),
        "startswith": Function(2, 2, lambda a, b: is_primitive(a) and is_primitive(b)
                               and _upper(to_string(a)).startswith(_upper(to_string(b)))),
        "endswith": Function(2, 2, lambda a, b: is_primitive(a) and is_primitive(b)
                             and _upper(to_string(a)).endswith(_upper(to_string(b)))),
        "format": Function(1, 255, _format),
        "join": Function(1, 2, _join),
        "tojson": Function(1, 1, to_json),
        "fromjson": Function(1, 1, _from_json),
        "case": Function(3, 2**53, _case),
    }



@dataclass
class Parser:
    tokens: list[Token]
    contexts: set[str]
    functions: Mapping[str, Function]
    text: str
    offset: int = 0
    depth: int = 0

    def parse(self) -> Any:
        if self._at_end():
            return None
        node = self._expression()
        if not self._at_end():
            raise self._error("Unexpected symbol", self._peek())
        return node

    def _error(self, what: str, token: Token) -> ExpressionError:
        shown = str(token.value) if token.type == "STRING" else ("EOF" if token.type == "EOF" else token.lexeme)
        return ExpressionError(f"{what}: '{shown}'. Located at position {token.column + 1} within expression: "
                               f"{self.text}")

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(f"Exceeded max expression depth {MAX_DEPTH}", self._peek())

    def _expression(self) -> Any:
        self._deeper()
        try:
            return self._logical("||", self._and)
        finally:
            self.depth -= 1

    def _and(self) -> Any:
        return self._logical("&&", self._equality)

    def _logical(self, op: str, operand: Callable[[], Any]) -> Any:
        node = operand()
        if self._check(op):
            self._deeper()
            try:
                args = [node]
                while self._match(op):
                    args.append(operand())
                node = ("or" if op == "||" else "and", args)
            finally:
                self.depth -= 1
        return node

    def _equality(self) -> Any:
        node = self._comparison()
        while (op := self._match("!=", "==")) is not None:
            node = ("bin", op, node, self._comparison())
        return node

    def _comparison(self) -> Any:
        node = self._unary()
        while (op := self._match(">", ">=", "<", "<=")) is not None:
            node = ("bin", op, node, self._unary())
        return node

    def _unary(self) -> Any:
        if self._match("!") is not None:
            self._deeper()
            try:
                return ("not", self._unary())
            finally:
                self.depth -= 1
        return self._index()

    def _index(self) -> Any:
        node = self._call()
        deeper = 0
        if node[0] in ("group", "call", "ctx"):
            while True:
                if self._match("[") is not None:
                    index = STAR if self._match("*") is not None else self._expression()
                    self._consume("]")
                    self._deeper()
                    deeper += 1
                    node = ("idx", node, index)
                elif self._match(".") is not None:
                    self._deeper()
                    deeper += 1
                    if self._check("IDENT"):
                        node = ("idx", node, ("lit", self._next().lexeme))
                    elif self._match("*") is not None:
                        node = ("idx", node, STAR)
                    else:
                        raise self._error("Unexpected symbol", self._peek())
                else:
                    break
        self.depth -= deeper
        return node

    def _call(self) -> Any:
        if not self._check("IDENT"):
            return self._primary()
        identifier = self._next()
        if self._match("(") is None:
            if identifier.lexeme.lower() not in self.contexts:
                raise self._error("Unrecognized named-value", identifier)
            return ("ctx", identifier.lexeme)
        args = []
        while self._match(")") is None:
            args.append(self._expression())
            if not self._check(")"):
                self._consume(",")
        name = identifier.lexeme.lower()
        function = self.functions.get(name)
        if function is None:
            raise self._error("Unrecognized function", identifier)
        if len(args) < function.min_args:
            raise self._error("Too few parameters supplied", identifier)
        if len(args) > function.max_args:
            raise self._error("Too many parameters supplied", identifier)
        if name == "case" and len(args) % 2 == 0:
            raise self._error("Even number of parameters supplied, requires an odd number of parameters",
                              identifier)
        return ("call", name, args)

    def _primary(self) -> Any:
        token = self._peek()
        if token.type in ("true", "false", "null", "NUMBER", "STRING"):
            self._next()
            return ("lit", token.value)
        if self._match("(") is not None:
            node = self._expression()
            if self._at_end():
                raise self._error("Unexpected end of expression", self.tokens[self.offset - 1])
            self._consume(")")
            return ("group", node)
        if self._at_end():
            raise self._error("Unexpected end of expression", self.tokens[max(0, self.offset - 1)])
        raise self._error("Unexpected symbol", token)

    def _peek(self) -> Token:
        return self.tokens[self.offset]

    def _at_end(self) -> bool:
        return self._peek().type == "EOF"

    def _check(self, token_type: str) -> bool:
        return not self._at_end() and self._peek().type == token_type

    def _next(self) -> Token:
        token = self._peek()
        if not self._at_end():
            self.offset += 1
        return token

    def _match(self, *types: str) -> str | None:
        for token_type in types:
            if self._check(token_type):
                self._next()
                return token_type
        return None

    def _consume(self, token_type: str) -> None:
        if self._match(token_type) is None:
            raise self._error("Unexpected symbol", self._peek())


# ---------------------------------------------------------------- evaluation


@dataclass
class Evaluator:
    contexts: Mapping[str, Any]
    functions: Mapping[str, Function] = field(default_factory=_builtin_functions)

    def parse(self, text: str) -> Any:
        return Parser(tokenize(text), {name.lower() for name in self.contexts}, self.functions, text).parse()

    def evaluate(self, text: str) -> Any:
        return self.eval(self.parse(text))

    def eval(self, node: Any) -> Any:
        if node is None:
            return None
        tag = node[0]
        if tag == "lit":
            return node[1]
        if tag == "group":
            return self.eval(node[1])
        if tag == "ctx":
            return lookup(self.contexts, node[1])[1]
        if tag == "not":
            return falsy(self.eval(node[1]))
        if tag in ("and", "or"):
            result = None
            for arg in node[1]:
                result = self.eval(arg)
                if (tag == "and" and falsy(result)) or (tag == "or" and truthy(result)):
                    break
            return result
        if tag == "bin":
            left, right = self.eval(node[2]), self.eval(node[3])
            op = node[1]
            if op == "==":
                return equals(left, right)
            if op == "!=":
                return not equals(left, right)
            if op == ">":
                return _greater(left, right)
            if op == "<":
                return _less(left, right)
            if op == ">=":
                return equals(left, right) or _greater(left, right)
            return equals(left, right) or _less(left, right)
        if tag == "idx":
            return self._index(node)
        if tag == "call":
            args = [self.eval(arg) for arg in node[2]]
            return self.functions[node[1]].call(*args)
        raise EvaluationError(f"unknown node {tag}")

    def _index(self, node: Any) -> Any:
        star = node[2] is STAR
        text_key: str | None = None
        int_key: int | None = None
        if not star:
            key = self.eval(node[2])
            if is_primitive(key):
                text_key = to_string(key)
            number = to_number(key)
            if not math.isnan(number) and not math.isinf(number) and number >= 0:
                int_key = math.floor(number)
        obj = self.eval(node[1])
        if isinstance(obj, FilteredArray):
            result = FilteredArray()
            for item in obj:
                if isinstance(item, dict):
                    if star:
                        result.extend(item.values())
                    elif text_key is not None:
                        found, value = lookup(item, text_key)
                        if found:
                            result.append(value)
                elif isinstance(item, list):
                    if star:
                        result.extend(item)
                    elif int_key is not None and int_key < len(item):
                        result.append(item[int_key])
            return result
        if isinstance(obj, list):
            if star:
                return FilteredArray(obj)
            return obj[int_key] if int_key is not None and int_key < len(obj) else None
        if isinstance(obj, dict):
            if star:
                return FilteredArray(obj.values())
            return lookup(obj, text_key)[1] if text_key is not None else None
        return FilteredArray() if star else None


def _contains(search: Any, item: Any) -> bool:
    if is_primitive(search):
        return is_primitive(item) and to_string(item).lower() in to_string(search).lower()
    if isinstance(search, list):
        return any(equals(item, value) for value in search)
    return False


def _format(template: Any, *args: Any) -> str:
    text = to_string(template)
    out: list[str] = []
    i = 0
    while i < len(text):
        left, right = text.find("{", i), text.find("}", i)
        if left >= 0 and (right < 0 or right > left):
            if text[left + 1:left + 2] == "{":
                out.append(text[i:left + 1])
                i = left + 2
                continue
            digits = re.match(r"\d+", text[left + 1:])
            if right > left + 1 and digits:
                index = int(digits.group())
                if index + 1 > len(args):
                    raise EvaluationError(f"The following format string references more arguments than were "
                                          f"supplied: {text}")
                out.append(text[i:left])
                out.append(to_string(args[index]))
                i = right + 1
                continue
            raise EvaluationError(f"The following format string is invalid: {text}")
        if right >= 0:
            if text[right + 1:right + 2] == "}":
                out.append(text[i:right + 1])
                i = right + 2
                continue
            raise EvaluationError(f"The following format string is invalid: {text}")
        out.append(text[i:])
        break
    return "".join(out)


def _join(items: Any, separator: Any = ",") -> str:
    if is_primitive(items):
        return to_string(items)
    if isinstance(items, list):
        sep = to_string(separator) if is_primitive(separator) else ","
        return sep.join(to_string(item) for item in items)
    return ""


def _plain(value: Any) -> Any:
    if is_number(value):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None  # JSON.stringify writes null for these
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_json(value: Any) -> str:
    return json.dumps(_plain(value), indent=2, ensure_ascii=False)


def _from_json(value: Any) -> Any:
    text = to_string(value)
    if text.strip() == "":
        raise EvaluationError("empty input")
    try:
        return json.loads(text, parse_constant=lambda name: _bad_json(name))
    except ValueError as exc:
        raise EvaluationError(f"Error parsing JSON when evaluating fromJson: {exc}") from None


def _bad_json(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def _case(*args: Any) -> Any:
    for predicate, value in zip(args[:-1:2], args[1::2], strict=True):
        if not isinstance(predicate, bool):
            raise EvaluationError("case predicate must evaluate to a boolean value")
        if predicate:
            return value
    return args[-1]


BUILTINS = _builtin_functions()


# ---------------------------------------------------------------- templates

_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def has_expression(text: Any) -> bool:
    return isinstance(text, str) and "${{" in text


def render(value: Any, evaluator: Evaluator) -> Any:
    """A workflow value with `${{ }}` inside: a lone expression keeps its type, a mixed string becomes text."""
    if isinstance(value, dict):
        return {k: render(v, evaluator) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, evaluator) for v in value]
    if not has_expression(value):
        return value
    whole = _TEMPLATE.fullmatch(value.strip())
    if whole and value.strip().count("${{") == 1:
        return evaluator.evaluate(whole.group(1).strip())
    parts: list[str] = []
    last = 0
    for match in _TEMPLATE.finditer(value):
        parts.append(value[last:match.start()])
        result = evaluator.evaluate(match.group(1).strip())
        if not is_primitive(result):
            raise EvaluationError(f"{match.group(0)} is an {kind(result)}: an object or array cannot be "
                                  f"pasted into text (use toJSON)")
        parts.append(to_string(result))
        last = match.end()
    parts.append(value[last:])
    return "".join(parts)


def render_text(value: Any, evaluator: Evaluator, where: str) -> str:
    """A value that must end up as text (env, with:, run's working-directory...)."""
    result = render(value, evaluator)
    if not is_primitive(result):
        raise EvaluationError(f"{where}: the value is an {kind(result)}, not text")
    return to_string(result)


STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")


def condition(text: Any, evaluator: Evaluator) -> bool:
    """An `if:`: `${{ }}` is optional, and without a status function it means `success() && (...)`."""
    if isinstance(text, bool):
        return text
    if text is None or (isinstance(text, str) and not text.strip()):
        text = "success()"
    source = str(text).strip() if not is_number(text) else to_string(text)
    whole = _TEMPLATE.fullmatch(source)
    if whole and source.count("${{") == 1:
        source = whole.group(1).strip()
    elif "${{" in source:
        # GitHub evaluates the template to text, and any non-empty text is true.
        return truthy(render(source, evaluator))
    node = evaluator.parse(source)
    if not _calls_status(node):
        node = ("and", [("call", "success", []), ("group", node)])
    return truthy(evaluator.eval(node))


def _calls_status(node: Any) -> bool:
    if not isinstance(node, tuple):
        return False
    if node[0] == "call" and node[1] in STATUS_FUNCTIONS:
        return True
    for part in node[1:]:
        if isinstance(part, tuple) and _calls_status(part):
            return True
        if isinstance(part, list) and any(_calls_status(p) for p in part):
            return True
    return False


def with_functions(extra: Mapping[str, Function]) -> dict[str, Function]:
    return {**BUILTINS, **{name.lower(): f for name, f in extra.items()}}


def evaluator(contexts: Mapping[str, Any], extra: Mapping[str, Function] | None = None) -> Evaluator:
    return Evaluator(contexts, with_functions(extra or {}))


__all__: Sequence[str] = (
    "EvaluationError", "Evaluator", "ExpressionError", "FilteredArray", "Function", "condition", "equals",
    "evaluator", "render", "render_text", "to_json", "to_string", "truthy",
)

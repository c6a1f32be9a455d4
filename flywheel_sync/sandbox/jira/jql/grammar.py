"""The JQL grammar (Lark syntax), for an LALR parser with the basic lexer.

The grammar follows Jira's own (``NOT`` binds tighter than ``AND``, which binds tighter than
``OR``; ``!``, ``&``/``&&`` and ``|``/``||`` are the symbolic spellings) and lexes the way
Jira's lexer does: a context-free tokenizer in which keywords are case-insensitive and win
over unquoted words, so ``labels = order`` needs quotes, as on Jira. Unquoted words stop at
whitespace and at the characters Jira reserves; ``PMO-12``, ``-1d`` and ``2026-05-01`` are
single words. The terminal names matter: `syntax_errors` turns the set of terminals the
parser expected into Jira's "Expecting ..." texts.
"""

from __future__ import annotations

__all__ = ["JQL_GRAMMAR"]

JQL_GRAMMAR = r"""
start: [disjunction] [ordering]

?disjunction: conjunction ((OR | OR_SYMBOL) conjunction)*
?conjunction: negation ((AND | AND_SYMBOL) negation)*
?negation: (NOT | BANG) negation  -> inverted
         | LPAR disjunction RPAR  -> grouped
         | clause

clause: field IS empty            -> is_empty
      | field IS NOT empty         -> is_not_empty
      | field COMPARATOR operand   -> comparison
      | field IN collection        -> inclusion
      | field NOT IN collection    -> exclusion

field: UNQUOTED                    -> named_field
     | STRING                      -> named_field
     | CF LSQB UNQUOTED RSQB       -> custom_field

?operand: value | empty | function
value: UNQUOTED | STRING
function: UNQUOTED LPAR [arguments] RPAR
arguments: argument (COMMA argument)*
?argument: UNQUOTED | STRING

collection: LPAR member (COMMA member)* RPAR  -> listed
          | function
?member: value | empty | function
empty: EMPTY | NULL

ordering: ORDER BY order_key (COMMA order_key)*
order_key: field [ASC | DESC]

AND: "and"i
AND_SYMBOL: "&&" | "&"
OR: "or"i
OR_SYMBOL: "||" | "|"
NOT: "not"i
BANG: "!"
IS: "is"i
IN: "in"i
EMPTY: "empty"i
NULL: "null"i
ORDER: "order"i
BY: "by"i
ASC: "asc"i
DESC: "desc"i
CF: "cf"i

COMPARATOR: /!=|!~|<=|>=|=|<|>|~/
LPAR: "("
RPAR: ")"
LSQB: "["
RSQB: "]"
COMMA: ","

STRING: /"(?:[^"\\]|\\.)*"/s | /'(?:[^'\\]|\\.)*'/s
UNQUOTED: /(?:[^\s"'(),=!<>~\[\]|&{}*\/%+^$#@?;\\\x00-\x1f\x7f]|\\[^\n\r])+/i

%ignore /\s+/
"""

"""The ``$filter`` grammar (Lark syntax), for an LALR parser with the basic lexer.

It covers what Dataverse documents for ``$filter`` (filter-rows.md): the comparison operators
``eq ne gt ge lt le``, ``and``/``or``/``not``, parentheses and function calls such as
``contains(msdyn_subject,'Install')``. Precedence follows OData: ``not`` binds tighter than
``and``, which binds tighter than ``or``. Operators and literals are lower case, as OData 4.0
requires; names are case-sensitive. Literals are OData's: ``'text'`` (a doubled quote escapes
one), numbers, ``true``/``false``/``null``, bare GUIDs, ``2026-05-01T08:00:00Z`` timestamps
and ``2026-05-01`` dates. A GUID or a timestamp is tried before a name or a number, so
``c94e6e38-...`` and ``2026-05-01`` are single tokens. Dotted names are lexed so that
``Microsoft.Dynamics.CRM.In(...)`` can be refused by name rather than as a syntax error.
"""

from __future__ import annotations

__all__ = ["FILTER_GRAMMAR"]

FILTER_GRAMMAR = r"""
?start: disjunction

?disjunction: conjunction
            | disjunction OR conjunction      -> any_of
?conjunction: negation
            | conjunction AND negation        -> all_of
?negation: NOT negation                       -> inverted
         | atom
?atom: LPAR disjunction RPAR                  -> grouped
     | operand comparator operand             -> comparison
     | call
     | operand                                -> truth

call: NAME LPAR [operand (COMMA operand)*] RPAR
comparator: EQ | NE | GT | GE | LT | LE

?operand: NAME                                -> property
        | STRING                              -> text
        | NUMBER                              -> number
        | GUID                                -> guid
        | DATETIME                            -> timestamp
        | DATE                                -> date
        | TRUE                                -> true
        | FALSE                               -> false
        | NULL                                -> null

AND: "and"
OR: "or"
NOT: "not"
EQ: "eq"
NE: "ne"
GT: "gt"
GE: "ge"
LT: "lt"
LE: "le"
TRUE: "true"
FALSE: "false"
NULL: "null"
LPAR: "("
RPAR: ")"
COMMA: ","

GUID.4: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/
DATETIME.3: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/
DATE.2: /\d{4}-\d{2}-\d{2}/
NUMBER: /-?\d+(\.\d+)?([eE][+-]?\d+)?/
STRING: /'(?:[^']|'')*'/
NAME: /[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/

%ignore /[ \t\r\n]+/
"""

"""ITF values (Apalache ADR-015, as protocheck writes them) to Python values and back.

    ITF                              Python
    number, {"#bigint": "..."}       int
    string, boolean                  str, bool
    {"#set": [...]}                  frozenset
    {"#map": [[k, v], ...]}          ItfMap (a dict; keys decoded to hashable values)
    {"#tup": [...]}                  Tup (a tuple)
    [...] (a sequence)               list
    {"field": ...} (a record)        Record (a dict)

Decoded values are hashable where they must be (set elements, map keys): a Record or an
ItfMap hashes by its items, a sequence inside a set or key decodes to a tuple.
"""

from __future__ import annotations

import json
from typing import Any

# JavaScript numbers are exact up to here; beyond it protocheck reads {"#bigint": "..."}.
MAX_SAFE_INTEGER = 2 ** 53 - 1


class Record(dict):
    """An ITF record: a dict of field -> value, hashable so that it can be a set element."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))


class ItfMap(dict):
    """An ITF map ({"#map": ...}), distinct from a record though both are dicts."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))


class Tup(tuple):
    """An ITF tuple ({"#tup": ...}), distinct from a sequence."""


class ItfError(ValueError):
    pass


def decode(value: Any, hashable: bool = False) -> Any:
    """An ITF value (as parsed from JSON) as a Python value."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ItfError(f'{value} is not an integer')
    if isinstance(value, list):
        items = [decode(v, hashable) for v in value]
        return tuple(items) if hashable else items
    if isinstance(value, dict):
        if '#bigint' in value:
            return int(value['#bigint'])
        if '#set' in value:
            return frozenset(decode(v, True) for v in value['#set'])
        if '#map' in value:
            return ItfMap((decode(k, True), decode(v, hashable)) for k, v in value['#map'])
        if '#tup' in value:
            return Tup(decode(v, hashable) for v in value['#tup'])
        if any(k.startswith('#') for k in value):
            raise ItfError(f'unknown ITF value {json.dumps(value)}')
        return Record((k, decode(v, True)) for k, v in value.items())
    raise ItfError(f'not an ITF value: {value!r}')


def encode(value: Any) -> Any:
    """A Python value as an ITF value (ready for json.dumps). Set elements come out in a
    canonical order, so that equal sets encode to equal JSON; map entries keep their order."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else {'#bigint': str(value)}
    if isinstance(value, (set, frozenset)):
        return {'#set': sorted((encode(v) for v in value), key=_canonical)}
    if isinstance(value, ItfMap):
        return {'#map': [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, Tup):
        return {'#tup': [encode(v) for v in value]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise ItfError(f'cannot encode {value!r} as ITF')


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(',', ':'))

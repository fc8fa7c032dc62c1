"""What a core's step returns: the event is taken (next state and the messages to send) or refused.

Refusing is not an error: a real node drops such an event; the driver reports it as a step the
implementation cannot take, which is how a divergence from the model shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, Union

S = TypeVar('S')


@dataclass(frozen=True)
class Send:
    to: object  # an Address
    message: object  # a Message


@dataclass(frozen=True)
class Taken(Generic[S]):
    state: S
    effects: tuple[Send, ...] = ()


@dataclass(frozen=True)
class Refused:
    reason: str


Transition = Union[Taken[S], Refused]


def is_refused(t: object) -> bool:
    return isinstance(t, Refused)

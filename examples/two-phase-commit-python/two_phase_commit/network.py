"""An in-process network whose record is TwoPhase.tla's msgs: every message ever sent.

Sending adds to the record, delivering reads from it and never removes, so a message can be
received any number of times, by design of the spec.
"""

from __future__ import annotations

from .transition import Send


class SentMessages:
    def __init__(self) -> None:
        # Insertion-ordered, so that observations list messages in the order they were first sent.
        self._sent: dict[Send, None] = {}

    def record(self, sends: tuple[Send, ...]) -> None:
        for send in sends:
            self._sent[send] = None

    def was_sent_to(self, to: object, message: object) -> bool:
        """Has `message` been sent to `to`? (Only then can `to` receive it.)"""
        return Send(to, message) in self._sent

    def messages(self) -> list[object]:
        """The distinct messages sent to anyone: the spec's msgs, where messages have no addressee."""
        return list(dict.fromkeys(send.message for send in self._sent))

"""Progress of long work, as the load reports it to a callback.

A progress message is text (the dashboard shows it as it is); a :class:`Step` is text that also
says which stage it belongs to and how far that stage has come, so a terminal can show counts,
a rate and the time left.
"""

from __future__ import annotations

__all__ = ["Step"]


class Step(str):
    """A progress message of ``stage`` (reading, building, writing, encoding): ``done`` of
    ``total`` items (``total`` 0 when unknown).

    >>> step = Step("read a.txt", "reading", 3, 10)
    >>> step, step.stage, step.done, step.total
    ('read a.txt', 'reading', 3, 10)
    """

    stage: str
    done: int
    total: int

    def __new__(cls, text: str, stage: str, done: int = 0, total: int = 0) -> Step:
        step = super().__new__(cls, text)
        step.stage, step.done, step.total = stage, done, total
        return step

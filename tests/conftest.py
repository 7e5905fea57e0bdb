"""Shared helpers for the lib tests: finite differences and relative errors come from
:mod:`lib.finite_differences` (dense Hessians from :func:`lib.dense_hessian`).

A shell that starts a command in the background without job control (``make test &`` in a
script, ``nohup``) starts it with SIGINT ignored, and Python then keeps it ignored: the tests of
Ctrl-C would see no KeyboardInterrupt (one of them hung until its 240 s alarm). The session
therefore gives this process Python's default SIGINT handler, as an interactive start would."""

import signal

from lib.finite_differences import central_difference, relative_error

__all__ = ["central_difference", "relative_error"]


def pytest_sessionstart(session: object) -> None:
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)

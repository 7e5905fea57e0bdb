"""Shared helpers for the lib tests: finite differences and relative errors come from
:mod:`lib.finite_differences` (dense Hessians from :func:`lib.dense_hessian`)."""

from lib.finite_differences import central_difference, relative_error

__all__ = ["central_difference", "relative_error"]

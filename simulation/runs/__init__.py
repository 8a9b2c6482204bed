"""Replications on an executor: one run (:mod:`.runner`), batches in chunks on a
local pool or Dask (:mod:`.execution`, :mod:`.dispatch`, :mod:`.executors`), and the
result store that makes a batch resumable (:mod:`.store`, :mod:`.manifest`,
:mod:`.atomic`, :mod:`.io`). Progress is reported through a callback, never printed.
"""

"""The Mesa layer: the model, its seller and competitor agents, and the campaign day.

A day runs in a fixed order (offer and competitor prices, production arrivals,
awareness, balance payments, cancellations while waiting, shipping and late
cancellations, returns, shopping, costs) over the consumers' arrays; :mod:`.metrics` turns a finished model into
outcomes and a trajectory, and :mod:`.invariants` checks its books. Imports
``scenario``, ``market`` and ``rng``; never anything above.
"""

"""Site load management: several wallboxes share one fuse (and nested circuits) fairly.

`model` describes the site (a tree of circuits, the wallboxes on them with their phase wiring
and priorities); `allocator` turns each tick's box states and grid measurements into one
current per box, with `headroom`, `admission`, `filling` and `phases` as its steps and
`records` for what goes in and comes out. Plain Python; no Home Assistant imports.
"""

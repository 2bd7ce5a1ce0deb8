"""The forms units fill: each form kind's specification (layout as data, versioned) and identity.

Below generate, collect and merge: the generator renders a form from its spec, collect derives
what it expects from the same spec, merge addresses cells through it.
"""

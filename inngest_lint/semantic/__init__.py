"""The program model: what the code of one file means, shared by the fact collector and the rules.

Names and imports (`names`), a read-only walk (`traverse`), source ranges (`positions`), the file
context every rule asks (`context`), argument and value readers (`values`), and the model of how
Inngest replays a function (`replay`, `replay_flow`, `replay_values`, `steps`,
`nondeterminism`). This package judges nothing and reports nothing: rules do. It imports only
`sdk`, `settings`, `diagnostics` and `facts.model` (plain data), never a rule, the engine or the
front ends (tests/test_layers.py holds that).
"""

"""Named officer accounts: roles, passwords with a second factor, console sessions.

Every act in the officials' console (and, given ``--officer``, on the command line)
is recorded under the acting officer's account name, ``officer:<username>``.
"""

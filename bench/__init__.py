"""The benchmark suite: ``bench/run`` measures the portal against the bare tools, in one run.

See the Performance section of README.md. Nothing here is imported by the portal.
"""

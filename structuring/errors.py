"""The base of every error Dikta raises on purpose.

It lives here because `structuring` imports no other Dikta package (text in, text out), so
every layer — pipelines, models, gpu, evaluation, service — may import it without a cycle.
Each message is one line a nurse's IT operator can act on; the CLI prints it as is and the
service maps it to a problem document. Messages never contain transcript text.
"""

from __future__ import annotations


class DiktaError(Exception):
    """Base of every error Dikta raises on purpose."""

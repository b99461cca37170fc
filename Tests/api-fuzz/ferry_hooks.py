"""Schemathesis hooks for Ferry's API fuzz run (scripts/api-fuzz loads this module via SCHEMATHESIS_HOOKS).

Ferry's produce endpoint takes NDJSON and raw bodies besides JSON. openapi.yaml describes those bodies as
strings; schemathesis needs to be told how to put a generated string on the wire for these media types.
"""

import schemathesis


def _text_bytes(value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return str(value).encode("utf-8")


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """Each generated string is sent as is: one or more lines, valid JSON or not (Ferry must answer 400)."""
    return _text_bytes(value)

"""Plays the Python reference service for the interop test.

Reads a JSON request on stdin and writes a JSON answer on stdout. The service wraps a
python-jose HS256 JWT in itsdangerous' URLSafeTimedSerializer with its defaults, so this
script does the same, with nothing else configured.

  {"op": "mint", "jwt_secret", "outer_secret", "claims"}        -> {"token"}
  {"op": "verify", "jwt_secret", "outer_secret", "token", "max_age"}
                                                                -> {"claims"} or {"error"}
"""

import json
import sys

from itsdangerous import URLSafeTimedSerializer
from jose import jwt


def mint(request):
    inner = jwt.encode(request["claims"], request["jwt_secret"], algorithm="HS256")
    return {"token": URLSafeTimedSerializer(request["outer_secret"]).dumps(inner)}


def verify(request):
    try:
        inner = URLSafeTimedSerializer(request["outer_secret"]).loads(
            request["token"], max_age=request["max_age"]
        )
        claims = jwt.decode(inner, request["jwt_secret"], algorithms=["HS256"])
    except Exception as error:  # the test only needs to know which layer refused
        return {"error": type(error).__name__}
    return {"claims": claims}


def main():
    requests = json.load(sys.stdin)
    answers = [mint(r) if r["op"] == "mint" else verify(r) for r in requests]
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
